"""The failure history: every analysis recorded in a local SQLite database.

:mod:`.store` (schema, migrations, writes: the project's only ``sqlite3`` user), :mod:`.rows`
(a JSON report -> rows), :mod:`.recorder` (writes that never stop an analysis), :mod:`.query`
(runs newest first with filters), :mod:`.location` (the default file, by platform convention),
:mod:`.commands` (``ava-detect history`` and ``ava-detect dashboard``) and :mod:`.dashboard`
(the self-contained HTML page).
"""
