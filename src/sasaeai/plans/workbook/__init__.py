"""The plan workbook (計画ワークブック) and the department workbook (部署別の評価ワークブック).

- ``spec.py`` — the plan workbook's format: sheets, columns, labels and aliases, limits, the
  rows it holds and how values compare;
- ``read.py`` — reading and checking a plan workbook, and the streaming sheet reader both
  workbooks read with;
- ``write.py`` — the plan workbook's template and export;
- ``department.py`` — the department workbook: writing it and reading it back.

None of them touches the database: ``plans.services.plan_import`` and
``plans.services.department_import`` match and apply. Callers import the submodule.
"""
