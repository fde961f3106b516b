"""Storage: the app's data folder, atomic writes, the Parquet score cache and the local case library."""
