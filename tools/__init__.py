"""The documentation site's build helpers (see mkdocs.yml); not part of the package."""
