"""
The Knowledge Bank plain-text layout, both ways, by layer: :mod:`.parsing` reads a file
into plain values, :mod:`.applying` saves them to the database (or previews what that would
do), :mod:`.exporting` writes a lesson back. :mod:`.layout` is the vocabulary they share.
"""
