# Vendored from moto 5.2.5 (the sdist moto-5.2.5.tar.gz on PyPI, tests/test_kms/__init__.py), unchanged but for
# this header. Copyright (c) moto contributors; Apache License 2.0: see LICENSE beside
# tests/ (tests/server/moto_suite/LICENSE).
