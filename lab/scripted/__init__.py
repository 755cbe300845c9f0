"""Scripted dialogue test suites (YAML): parse, run through the full pipeline, report (text and JUnit XML)."""
