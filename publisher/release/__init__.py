"""The release: what the build writes and the server reads, and nothing else.

Release directories and their manifest, the atomic ``current`` switch, the read-only store,
the catalogue of files (index, checksums, statistics) and the IRIs of the build's graphs and
of the dataset. Pure: no Flask, no pyshacl, no owlready2.
"""
