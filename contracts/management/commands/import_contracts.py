from contracts.imports import COLUMNS, import_contracts
from practices.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Import historical RCGP contracts from a CSV file (all or nothing; re-running changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", help=f"a CSV file with the header {','.join(COLUMNS)}")

    def run_import(self, *, path, **options):
        return import_contracts(path)
