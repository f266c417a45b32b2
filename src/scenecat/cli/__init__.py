"""Command-line layer: parse, call one domain function, render."""
