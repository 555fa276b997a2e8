"""The server: the Flask app over one release. Imports ``publisher.release``, never
``publisher.build.pipeline``, so a serving process never loads pyshacl or owlready2."""
