"""scenecat: a local catalogue of TV drama scenes."""

__version__ = "0.1.0"
