from practices.imports.command import ImportCommand
from practices.imports.cqc import import_cqc_ratings


class Command(ImportCommand):
    help = "Import CQC inspections and ratings from CQC API location records (a JSON file or a folder)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a location_<id>.json file or a folder of them")

    def run_import(self, *, path, **options):
        return import_cqc_ratings(path)
