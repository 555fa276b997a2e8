"""The release pipeline: read RDF, validate (SHACL, HermiT), materialise, write dumps and
VoID, publish. Imports ``publisher.release``, never ``publisher.web``."""
