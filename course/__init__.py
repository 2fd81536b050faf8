"""What the chapters use to feed and show things, on top of the engine: ``data`` (the course's data
sets), ``viz`` (pictures and widgets, one palette) and ``train`` (a small training loop).

``engine`` never imports this package; this package imports ``engine`` and, when a picture is drawn,
matplotlib and ipywidgets.
"""
