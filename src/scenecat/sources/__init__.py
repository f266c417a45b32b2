"""Facts from outside sources (Wikidata, TMDB, third-party plugins) and from video clips.

Nothing here is imported by commands that do not fetch: the network libraries load only
inside the functions that use them.
"""
