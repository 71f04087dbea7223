"""The `kg` command: a thin click group over library functions; KgError → exit code in one place."""

from __future__ import annotations

import sys
from functools import wraps

import click

from kg import __version__
from kg.config import load_config
from kg.errors import KgError


def handle_errors(fn):
    """Turn KgError into its exit code and a message on stderr; anything else is a bug (exit 3)."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KgError as exc:
            click.echo(f"error: {exc}" if "\n" not in str(exc) else str(exc), err=True)
            sys.exit(exc.exit_code)
    return wrapper


@click.group()
@click.version_option(__version__, prog_name="kg")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="A kg.toml settings file (default: ./kg.toml if present).")
@click.pass_context
def main(ctx, config_path):
    """The open knowledge graph of the soviets of 1905 and 1917."""
    ctx.obj = {"config_path": config_path}


def config_from(ctx, **overrides):
    return load_config(ctx.obj.get("config_path"), **overrides)


@main.command()
@click.pass_context
@handle_errors
def check(ctx):
    """Check sources, the entity registry and every annotation, without building."""
    from kg.corpus import load_corpus
    corpus = load_corpus(config_from(ctx).sources_dir)
    a = corpus.annotations
    click.echo(f"ok: {len(corpus.sources)} sources, {len(corpus.registry)} entities, "
               f"{len(a.mentions)} mentions, {len(a.statements)} statements in {len(a.files)} files")
