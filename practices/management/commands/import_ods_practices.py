from practices.imports.command import ImportCommand
from practices.imports.ods import import_ods_practices


class Command(ImportCommand):
    help = "Import GP practices from the NHS ODS epraccur.csv file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="epraccur.csv (headerless, 27 quoted fields)")
        parser.add_argument("--all-settings", action="store_true",
                            help="also import rows whose prescribing setting is not 4 (GP practice)")

    def run_import(self, *, path, **options):
        return import_ods_practices(path, all_settings=options["all_settings"])
