"""The `kg` command: a thin click group over library functions; KgError → exit code in one place."""

from __future__ import annotations

import sys
from collections import Counter
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
    linked = Counter(e.cls for e in corpus.registry.values() if e.wikidata)
    click.echo(f"linked to Wikidata: {sum(linked.values())} entities"
               + (" (" + ", ".join(f"{c} {n}" for c, n in sorted(linked.items(), key=lambda kv: (-kv[1], kv[0])))
                  + ")" if linked else ""))


@main.group()
def annotations():
    """Maintain the annotation files of sources/annotations/."""


@annotations.command("assign-ids")
@click.pass_context
@handle_errors
def assign_ids(ctx):
    """Write its permanent id into every statement that has none (the id its content gives today)."""
    from kg.statement_ids import assign_ids as run_assign
    result = run_assign(config_from(ctx).sources_dir)
    for path, count in result.files.items():
        if count:
            click.echo(f"{path}: {count} id(s) written")
    click.echo(f"{sum(result.files.values())} id(s) written in {sum(1 for n in result.files.values() if n)} "
               f"file(s); {result.kept} statement(s) already had one")


@main.command()
@click.option("--base-iri", default=None, help="Base IRI to mint the graph under (setting base_iri).")
@click.option("--data-dir", default=None, type=click.Path(file_okay=False), help="Where to write store and dumps.")
@click.pass_context
@handle_errors
def build(ctx, base_iri, data_dir):
    """Build, validate and publish the graph: a new store and dumps, swapped in atomically."""
    from kg.build import build as run_build
    result = run_build(config_from(ctx, base_iri=base_iri, data_dir=data_dir))
    m = result.manifest
    click.echo(f"built {m['build_id']}: {m['triples']} triples ({m['quads']} quads) in "
               f"{len(m['named_graphs'])} named graphs; {m['entities']} entities, {m['statements']} "
               f"statements, {m['mentions']} mentions")
    click.echo(result.report.text())
    click.echo("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))


@main.command()
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the SHACL report as Turtle to this file.")
@click.pass_context
@handle_errors
def validate(ctx, report_path):
    """Print the SHACL report of the graph the annotations make; exit 1 on any violation."""
    from kg.build import make_graphs, run_validation
    config = config_from(ctx)
    report = run_validation(config, make_graphs(config))
    if report_path:
        report.graph.serialize(report_path, format="turtle")
    click.echo(report.text())
    sys.exit(0 if report.conforms else 1)


@main.command()
@click.argument("query", required=False)
@click.option("--format", "fmt", default="table", show_default=True,
              help="table, or a results format (json, csv, tsv, xml) / graph format (turtle, ntriples, jsonld, rdfxml).")
@click.option("--endpoint", default=None, help="Run against this SPARQL endpoint URL instead of the local store.")
@click.option("--refresh", is_flag=True,
              help="Store the current build's answer of the named query QUERY (or of all) as queries/<name>.tsv; "
                   "an empty or failed answer is never written over a stored one.")
@click.pass_context
@handle_errors
def query(ctx, query, fmt, endpoint, refresh):
    """Run a SPARQL query: a string, a .rq file, or the name of a query in queries/."""
    if refresh:
        from kg.answers import refresh_answers
        if endpoint or fmt != "table":
            raise click.UsageError("--refresh stores TSV answers from the local build: no --endpoint or --format")
        results = refresh_answers(config_from(ctx), [query] if query else None)
        for r in results:
            click.echo(r.line())
        refused = sum(r.status == "refused" for r in results)
        changed = sum(r.status in ("changed", "new") for r in results)
        click.echo(f"{changed} changed, {len(results) - changed - refused} unchanged, {refused} refused"
                   + ("; review the changes with `git diff queries/`" if changed else ""))
        sys.exit(1 if refused else 0)
    if not query:
        raise click.UsageError("give a QUERY (text, .rq file or name), or --refresh")
    from kg.cli_query import run_cli_query
    click.echo(run_cli_query(config_from(ctx), query, fmt, endpoint), nl=False)


@main.command()
@click.pass_context
@handle_errors
def stats(ctx):
    """Counts by class, property, source and named graph, from the built store."""
    from kg.stats import evidence_share, stats as compute
    from kg.store import open_store
    config = config_from(ctx)
    store = open_store(config.data_dir)
    for section, rows in compute(store, config.base_iri).items():
        click.echo(f"\n{section}:")
        for key, count in rows:
            click.echo(f"  {count:>7}  {key}")
    with_ev, total = evidence_share(store, config.base_iri)
    click.echo(f"\nfact triples backed by quoted evidence: {with_ev} of {total}"
               f" ({100 * with_ev / max(total, 1):.1f}%)")


@main.command()
@click.option("--host", default=None, help="Address to listen on (setting host, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (setting port, default 8000).")
@click.option("--endpoint", default=None, help="Query this remote SPARQL endpoint instead of the local store.")
@click.pass_context
@handle_errors
def serve(ctx, host, port, endpoint):
    """Serve the built graph: read-only SPARQL endpoint, entity pages and dumps (Granian)."""
    from kg.server import run_server
    run_server(config_from(ctx, host=host, port=port), endpoint)


@main.command()
@click.option("--accept", "accept_file", type=click.Path(dir_okay=False), default=None,
              help="Take the reviewed rows of this SSSOM file into sources/wikidata/links.yaml.")
@click.option("--check", "check_links", is_flag=True, help="Ask Wikidata again about every link; exit 1 if any drifted.")
@click.option("--out", default=None, type=click.Path(dir_okay=False),
              help="Where to write the proposals (default: <sources>/wikidata/proposals.sssom.tsv).")
@click.option("--entity", "entities", multiple=True, help="Only this entity id (repeatable).")
@click.option("--min-confidence", default=0.5, show_default=True, type=click.FloatRange(0, 1),
              help="Leave out candidates below this confidence.")
@click.option("--force", is_flag=True, help="Overwrite the proposals file if it exists.")
@click.pass_context
@handle_errors
def link(ctx, accept_file, check_links, out, entities, min_confidence, force):
    """Propose Wikidata links for review (SSSOM); --accept FILE takes reviewed ones; --check re-verifies."""
    from kg import linking
    config = config_from(ctx)
    if accept_file and check_links:
        raise click.UsageError("--accept and --check are separate steps: give one")
    if accept_file:
        click.echo(linking.accept_report(config, accept_file))
    elif check_links:
        text, drifted = linking.check_report(config)
        click.echo(text)
        sys.exit(1 if drifted else 0)
    else:
        click.echo(linking.propose_report(config, entities, min_confidence, out, force))


@main.group()
def export():
    """Export the graph's statements in other tools' formats."""


@export.command("quickstatements")
@click.option("--out", default=None, type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@click.pass_context
@handle_errors
def export_quickstatements(ctx, out):
    """Sourced statements about entities linked to Wikidata, as QuickStatements v1 commands."""
    from kg.quickstatements import export_quickstatements as run_export
    result = run_export(config_from(ctx))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(result.text())
    else:
        click.echo(result.text(), nl=False)
    skipped = ", ".join(f"{n} {why}" for why, n in result.skipped.most_common())
    click.echo(f"{len(result.lines)} statements exported; skipped: {skipped or 'none'}", err=True)
