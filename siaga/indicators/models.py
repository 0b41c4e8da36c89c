"""Program indicators: precomputed aggregates read by the dashboards and the co-production
matrix. Refreshed by a scheduled job and on demand (see ``services``)."""
