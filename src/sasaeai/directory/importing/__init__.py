"""Importing directory data: the 自治体標準オープンデータセット CSVs and HSDS 3.0 files.

- ``source``: the file being imported, bytes or a path, opened as a stream;
- ``text``: decoding files (BOMs, UTF-8, CP932, UTF-16), reading CSV as a stream of text
  rows, removing control characters;
- ``records``: the plain records every parser produces (no Django);
- ``opendata``: the four open-data datasets (介護・子育て・医療・AED) with their column aliases;
- ``weekly``: 「月～金」「9:00」… into weekly schedules;
- ``hsds``: HSDS JSON and the tabular CSV datapackage (folder or ZIP);
- ``service``: preview and apply (one transaction, audited; the preview is the apply
  rolled back);
- ``writer``: what a file does to the rows, chunk by chunk (re-import by source id, details
  replaced as a whole, missing services retired);
- ``result``: what an import found and did (``DirectoryImportResult``, with the
  ``core.imports`` row changes and issues);
- ``jobs``: the staff screen's imports, run in the background with their progress.
"""
