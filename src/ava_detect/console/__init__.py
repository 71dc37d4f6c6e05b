"""What the terminal shows: ``ava_detect.console`` is the only package that imports rich.

:mod:`.progress` is the frame progress bar of one clip, :mod:`.clip_summary` the short summary
printed after one clip, :mod:`.batch_display` a folder run's live progress and closing table.
"""
