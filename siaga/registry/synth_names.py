"""Name lists for the synthetic population (siaga.registry.synth).

Names as they are written on Semarang's family cards: Javanese single and double names, names
from Islamic tradition, Javanese Catholic and Protestant baptismal names, Chinese-Indonesian
given names with Indonesianised family names, and a few Batak families. Lists are split by
generation, because a grandmother called Tukiyem has a granddaughter called Nabila.
None of these names refers to a real person; any resemblance is coincidence.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ---- Javanese --------------------------------------------------------------------------------

JAVANESE_MALE_OLD = _words(
    """
Sukarno Suparman Sukirman Slamet Paimin Paijo Tukimin Sutrisno Sumarno Suwarno Sugiyono
Mulyono Kasmin Karjo Darmo Harjo Sastro Wiryo Parman Rusdi Sarwono Supardi Sugeng Ngadiman
Kartono Sudarmo Suroto Suyatno Marsudi Prawiro Suyono Tugiman Wagiman Warsito Yatno Rebo
Sumadi Kasno Sukardi Sudiro Sumardi Darsono Harsono Tumiran Samingan Sadimin Sarmin Legiman
"""
)

JAVANESE_FEMALE_OLD = _words(
    """
Tukiyem Sumirah Suparmi Sumarni Painem Tumini Sarinah Kasiyem Wagiyem Ngatini Sutinah Rukmini
Sulastri Suyati Sumiyati Sriyani Paini Juminah Legiyem Sukinah Warsini Parmi Kartini Tarmi
Darmini Sumini Ngadinah Siti Wartini Suwarni Karsinah Sumiati Samini Poniyem Ponirah Sutiyem
"""
)

JAVANESE_MALE_MID = _words(
    """
Agus Budi Bambang Joko Heru Eko Dwi Tri Wahyu Hadi Priyanto Widodo Purnomo Rahmat Teguh Yudi
Bayu Hendro Iwan Sigit Gunawan Haryanto Susilo Setyo Bowo Didik Edi Wawan Wisnu Yanto Hari
Adi Aris Arif Dedi Dodi Endro Gatot Hartono Imam Irwan Kris Nugroho Prasetyo Rudi Santoso
Suryo Tono Triyono Untung Wibowo Yoga Ari Anang Ananto Catur Dimas Fajar Galih Hanung Indra
Januar Kukuh Lilik Muji Nanang Panji Rahardjo Sapto Tejo Toto Wiji Yulianto
"""
)

JAVANESE_FEMALE_MID = _words(
    """
Sri Endang Tri Wulan Dewi Ratna Sari Yuni Rina Lestari Wati Ani Eni Yanti Retno Wahyuni Titik
Umi Indah Kurniasih Puji Rahayu Setyowati Handayani Astuti Suryani Nining Ninik Endah Diah
Erna Evi Fitri Heni Ika Lina Lusi Mamik Mega Nur Pratiwi Rini Rosa Ruli Sulis Tatik Tutik
Wiwik Yayuk Yuli Anik Asih Dwi Kusuma Murni Peni Ratih Sekar Tanti Upik Woro
"""
)

JAVANESE_MALE_YOUNG = _words(
    """
Dimas Bagas Bayu Aditya Arya Galang Rizky Yoga Fajar Danang Satria Angga Raka Wahyu Bima
Gilang Restu Tegar Damar Ilham Dwiky Krisna Arjuna Banyu Candra Daffa Elang Gading Hanif
Janu Kevin Lintang Nanda Rendi Rangga Seno Wisnu Yudha Pandu Ardi Bintang Dafa Evan Rafi
"""
)

JAVANESE_FEMALE_YOUNG = _words(
    """
Putri Ayu Dewi Anggi Nadia Citra Intan Novita Laras Anjani Kirana Larasati Rara Sekar Widya
Ajeng Bunga Dinda Erlin Galuh Hesti Indri Kartika Lintang Maharani Nindya Pramesti Puspita
Ratri Salsa Tiara Wulandari Yesi Zahra Alya Amelia Clara Diva Elsa Fira Gita Jihan Keisha
"""
)

# Second parts of Javanese double names (often passed from father to children as a family name).
JAVANESE_SECOND = _words(
    """
Santoso Setiawan Prasetyo Nugroho Wibowo Susanto Purnomo Hidayat Saputra Pratama Wijaya
Kurniawan Hartono Suryanto Utomo Raharjo Sulistyo Widodo Haryono Wicaksono Permana Kusuma
Ramadhan Firmansyah Hermawan Handoko Cahyono Sasongko Adiputra Nugraha Prakoso Kuncoro
Ardiansyah Prabowo Anggoro Mahendra Budiman Darmawan Hendrawan Iskandar Junaidi Kristanto
Laksono Mulyadi Pamungkas Rahmawan Sudibyo Triatmojo Wardoyo Yuwono
"""
)

JAVANESE_SECOND_FEMALE = _words(
    """
Lestari Rahayu Wulandari Handayani Setyowati Susanti Puspitasari Anggraini Kusumawati
Maharani Pratiwi Wahyuningsih Rahmawati Kurniawati Safitri Utami Yuliana Permatasari
Damayanti Novitasari Oktaviani Ningsih Sulistyowati Indriani Purwaningsih Hidayati
Astuti Agustina Wijayanti Ekawati Sari Fitriani Herawati Kartikasari Nuraini
"""
)

# ---- Islamic tradition -------------------------------------------------------------------------

MUSLIM_MALE = _words(
    """
Muhammad Ahmad Abdul Nur Khoirul Lutfi Fauzi Hasan Husein Ali Umar Usman Yusuf Ibrahim Ismail
Hamzah Zainal Arifin Syaiful Mustofa Rohman Rahman Rohim Amin Anwar Hakim Hanafi Irfan Jamal
Kholil Maulana Mahmud Nasrul Rizal Ridwan Syamsul Taufik Zaenal Zulkifli Akbar Faisal Farhan
Habib Hilmi Imron Khairul Luthfi Malik Mukhlis Munir Nasir Rafiq Said Salim Sholeh Subhan
"""
)

MUSLIM_FEMALE = _words(
    """
Siti Fatimah Aisyah Aminah Khadijah Maryam Zainab Nur Halimah Rohmah Musyarofah Sholihah
Mutmainah Rahmah Hafsah Salamah Zulaikha Zahrotun Latifah Khoiriyah Maesaroh Umayah Nafisah
Afifah Azizah Faizah Hanifah Jamilah Kamilah Laila Lutfiah Marfuah Nadhifa Qomariyah Rofiah
Salma Syarifah Ulfa Uswatun Wardah Zahra Zakiyah Nabila Aulia Salsabila Kayla Naura Alifa
"""
)

MUSLIM_SECOND = _words(
    """
Hidayat Hidayatullah Rahman Rohman Hakim Fauzan Ramadhan Syahputra Nurhuda Maulana Aziz Amrullah
Fathurrahman Ilyas Kurniawan Mubarok Mustofa Rosyid Saifuddin Syarifuddin Zakaria Alfarizi
Alfiansyah Ardiansyah Firdaus Habibi Hamdani Husaini Ikhsan Khoirudin Munawar Nurhadi Rifai
Setiawan Sholihin Ubaidillah Wahid Yusuf Zulfikar
"""
)

MUSLIM_SECOND_FEMALE = _words(
    """
Azizah Aminah Fitriyah Hasanah Khasanah Khoirunnisa Mufidah Muthoharoh Nurjanah Rahmawati
Rohmawati Sholihah Ulfah Zahro Zulfa Nurul Fadhilah Hidayah Kamila Latifah Maulida Nafisa
Rahmadani Ramadhani Safitri Syafira Anisa Zakiyah Hanum Izzati
"""
)

# ---- Christian (Javanese Catholic and Protestant) -------------------------------------------------

CHRISTIAN_MALE = _words(
    """
Yohanes Petrus Paulus Stefanus Fransiskus Antonius Yosef Yakobus Markus Lukas Matius Thomas
Andreas Ignatius Agustinus Benediktus Kristoforus Dominikus Gregorius Laurentius Mikael Rafael
Gabriel Daniel David Samuel Yosua Timotius Filipus Bernardus Aloysius Valentinus Vincentius
Albertus Hieronimus Leonardus Robertus Yulius Christian Kevin Michael Nathanael Elia
"""
)

CHRISTIAN_FEMALE = _words(
    """
Maria Theresia Agnes Veronika Elisabeth Lusia Katarina Caecilia Bernadette Fransiska Yohana
Magdalena Monika Regina Scholastika Skolastika Anastasia Margaretha Yosephine Christina Lidia
Debora Ester Rut Natalia Angelina Gabriella Clara Priska Febiola Yuliana Stefani Sesilia
"""
)

# ---- Chinese-Indonesian -----------------------------------------------------------------------------

CHINESE_MALE = _words(
    """
Hendra Andi Budi Yohan Steven William Felix Hans Ferry Handoko Rudy Tommy Johan Hartanto
Sugiarto Hendrik Irwan Jimmy Kurnia Liong Robby Sonny Teddy Vincent Willy Yanto Edwin Eddy
Frans Gunadi Harry Ivan Jason Kelvin Leo Nicholas Ryan Andrew Bryan Calvin Darren Hansen
"""
)

CHINESE_FEMALE = _words(
    """
Lily Linda Susan Meiliana Lanny Yuliana Stefani Jessica Michelle Cindy Felicia Vivian Lisa
Elly Fenny Grace Hana Irene Jenny Kristin Lenny Megawati Mimi Ningsih Olivia Sherly Silvia
Sonia Tania Vera Wendy Yenny Angeline Cecilia Evelyn Gracia Jocelyn Natasha Valencia
"""
)

CHINESE_FAMILY = _words(
    """
Wijaya Gunawan Halim Santoso Hartono Tanoto Salim Kurniawan Setiawan Susanto Tjahjadi Lim Tan
Liem Gozali Sugianto Wibisono Hendrawan Lukito Budiman Tanuwijaya Sutanto Kusnadi Widjaja
Tjandra Hadinata Chandra Limanto Oei Kwee Sidharta Tedjo Soegijanto Hadisaputra Winata
"""
)

# ---- Batak (Christian) families -------------------------------------------------------------------

BATAK_MALE = _words(
    """
Rudolf Hotman Parlindungan Togar Bonar Martua Jonner Sahat Poltak Binsar Marihot Tigor
Daniel Samuel Yosua Christian
"""
)

BATAK_FEMALE = _words(
    """
Rosmawati Tiurma Lasma Nurhayati Romauli Sondang Dame Ruth Debora Natalia Friska
"""
)

BATAK_MARGA = _words(
    """
Simanjuntak Siregar Simatupang Hutapea Nainggolan Sitorus Pardede Manurung Situmorang Sinaga
Panjaitan Hutagalung Sihombing Silalahi Tambunan Napitupulu Pasaribu Lubis Nasution Harahap
"""
)

BIRTH_PLACES_NEAR = _words(
    """
Demak Kendal Ungaran Salatiga Kudus Pati Jepara Grobogan Purwodadi Boyolali Blora Rembang
Pekalongan Batang Tegal Brebes Magelang Temanggung Wonosobo Klaten Surakarta Sragen Wonogiri
Purworejo Kebumen Banyumas Cilacap Yogyakarta
"""
)
BIRTH_PLACES_FAR = _words(
    """
Jakarta Surabaya Bandung Medan Bogor Malang Cirebon Palembang Makassar Denpasar Pontianak
Balikpapan Lampung Padang Manado Kupang Ambon
"""
)

COMORBIDITY_WEIGHTS = (
    ("hipertensi", 40),
    ("diabetes", 22),
    ("jantung", 9),
    ("paru", 7),
    ("obesitas", 7),
    ("ginjal", 4),
    ("tbc", 3),
    ("kanker", 2),
    ("autoimun", 1),
    ("hiv", 1),
    ("lainnya", 4),
)

# Mobile prefixes after +62 (Telkomsel, Indosat, XL, Axis, Tri, Smartfren).
MOBILE_PREFIXES = _words(
    "811 812 813 821 822 823 852 853 851 814 815 816 855 856 857 858 817 818 819 859 877 878 "
    "831 832 833 838 895 896 897 898 899 881 882 883 887 888"
)

# Lanes (gang) of an RT, for addresses such as "Gg. Melati III No. 12".
LANES = _words(
    """
Melati Mawar Kenanga Anggrek Flamboyan Dahlia Kamboja Cempaka Teratai Seroja Sawo Jambu Mangga
Rambutan Nangka Delima Srikaya Belimbing Sukun Kelapa Pisang Durian Salak Manggis Kemuning
Bougenville Asem Waru Jati Mahoni Cendana Bambu Kutilang Merpati Cendrawasih Nuri Rajawali
Kenari Perkutut Tawes Bandeng Kakap Tongkol Layur Dorang Lumba-lumba Pelabuhan Bahari Samudra
"""
)

# Newcomers' first registration (NIK region) and where they were born: real kecamatan codes.
ORIGIN_REGIONS = (
    ("332101", "Demak"),
    ("332102", "Demak"),
    ("332201", "Ungaran"),
    ("332403", "Kendal"),
    ("331902", "Kudus"),
    ("332002", "Jepara"),
    ("331501", "Grobogan"),
    ("331801", "Pati"),
    ("337301", "Salatiga"),
    ("317401", "Jakarta"),
    ("357801", "Surabaya"),
    ("347101", "Yogyakarta"),
    ("327302", "Bandung"),
)
