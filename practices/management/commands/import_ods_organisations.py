from practices.imports.command import ImportCommand
from practices.imports.ods_organisations import import_ods_organisations


class Command(ImportCommand):
    help = ("Name commissioners from an ODS organisation file (sub-ICB locations, ICBs, CCGs: code in column 1, "
            "name in column 2, or columns headed Code and Name). All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="e.g. eccg.csv (ODS sub-ICB locations) or the ICB file")

    def run_import(self, *, path, **options):
        return import_ods_organisations(path)
