"""HSDS 3.0 output of the directory: JSON objects (export and read API) and the tabular
CSV datapackage. The schemas (CC BY-SA 4.0, Open Referral) are package data in
``sasaeai/directory/data/hsds-3.0/``."""
