from practices.imports.command import ImportCommand
from practices.imports.list_sizes import import_list_sizes


class Command(ImportCommand):
    help = "Set practices' registered list sizes from NHS Digital's patients-registered CSV (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="gp-reg-pat-prac-all.csv")

    def run_import(self, *, path, **options):
        return import_list_sizes(path)
