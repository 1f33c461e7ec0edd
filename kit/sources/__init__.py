"""Inputs of the pipeline: content, catalogs, languages, markup, fonts, school profiles."""
