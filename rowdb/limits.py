"""Sizes and limits, in one place, each with its reason.

Where: imported by every layer; nothing here imports rowdb.
"""

# Prolly tree chunking (rowdb/storage/chunker.py). Sizes count key + value bytes of entries.
chunk_bytes_min = 512       # Below this, boundaries are ignored: tiny chunks cost a hash each.
chunk_bytes_target = 4096   # Scale of the Weibull chunk-size distribution (mean ~3.7 KiB).
chunk_bytes_max = 16384     # Hard cut so a run of unlucky hashes cannot make a huge node.
chunk_weibull_k = 4         # Shape: k=4 gives a tight, bell-like size distribution (as Dolt).
internal_entry_overhead = 24  # Bytes an internal entry adds beside its key: hash 20 + count.
key_bytes_max = 2048        # Internal nodes repeat keys: 2 KiB keeps >= 8 children per node.
assert chunk_bytes_min < chunk_bytes_target < chunk_bytes_max

# Chunk store (rowdb/storage/kv.py).
hash_bytes = 20                   # BLAKE2b-160: as strong as Dolt's SHA-512/160, C-fast.
pack_bytes_max = 4 << 20          # Chunks are packed into LMDB values of at most this size, so
                                  # LMDB's whole-page overflow rounding wastes < 0.1%.
map_bytes_initial = 1 << 30       # LMDB map reservation; sparse, grows on demand.
map_bytes_max = 1 << 44           # Growth stops here (16 TiB) with StorageFullError.
lmdb_readers_max = 512            # Concurrent read transactions across all processes.
write_buffer_bytes_max = 64 << 20  # A writer flushes staged chunks beyond this much memory.
compress_threads = 2              # zstd threads compressing a commit's chunks (2 cores here).
delta_depth_max = 2               # A node edited in place is stored as a delta against its
                                  # previous version, at most this many deltas deep: a cold
                                  # read decodes at most this many extra nodes.
zstd_level = -1                   # zstd fast level -1: ~0.70x on row data, 1.5x level 1 speed.

# Caches.
row_cache_bytes = 512 << 20       # Decoded rows of table leaves (estimated), for repeated scans.
leaf_partials_max = 1 << 18        # Cached per-leaf partial aggregates (about 200 bytes each).
node_cache_bytes = 512 << 20      # Decoded prolly nodes (estimated at 3x their encoded bytes).
