#!/usr/bin/env python
"""Same as the `siaga` console command."""

from siaga.cli import main

if __name__ == "__main__":
    main()
