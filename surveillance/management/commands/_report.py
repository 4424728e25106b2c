"""Printing a run report the same way for both sync commands."""

from django.core.management.base import CommandError


def print_report(command, run):
    for failure in run.failures:
        given_up = " (given up)" if failure.get("given_up") else ""
        command.stderr.write(f"failed {failure['item']}: {failure['reason']}{given_up}")
    command.stdout.write(f"fetched={run.fetched} created={run.created} updated={run.updated} "
                         f"unchanged={run.unchanged} skipped={run.skipped} failed={run.failed} "
                         f"given_up={run.given_up} changes={len(run.changes)}")
    if run.error:
        raise CommandError(f"{run.get_kind_display()} sync failed: {run.error}", returncode=2)
