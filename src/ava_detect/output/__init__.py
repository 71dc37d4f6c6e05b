"""One clip's output files: where they go (:mod:`.paths`, which also refuses to overwrite a
user's files), the evidence frames (:mod:`.evidence`), and the job that analyses a clip and
writes them all (:mod:`.clip_job`, shared by the CLI and batch workers)."""
