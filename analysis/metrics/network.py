"""The interaction network: who retweeted, replied to or mentioned whom.

Three relations, each a directed, weighted graph of accounts (``RELATIONS``): an edge A -> B
counts the posts in which A retweeted B, replied to B, or mentioned B in a post A wrote (a
retweet's "RT @B" attribution is not a mention). The drawn network keeps the most active
accounts (most edges out) and the most amplified (most edges in) of the relation, plus the
brand's account; on it:
- communities: Louvain modularity maximisation (Blondel et al. 2008; networkx) on the
  undirected, weighted graph, with a fixed seed;
- brokers: the accounts with the highest betweenness centrality (Freeman 1977), i.e. those on
  the most shortest paths between the others, where a heavier edge is a shorter distance.
The full edge list (every account) is what the GEXF download carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import networkx as nx
import numpy as np
import pandas as pd

from analysis.errors import BackfireError


@dataclass(frozen=True)
class Relation:
    """A relation type: its label and how a table becomes (source, target) pairs."""

    key: str
    label: str
    description: str
    pairs: Callable[[pd.DataFrame], pd.DataFrame]


def _retweets(table: pd.DataFrame) -> pd.DataFrame:
    rows = table["is_retweet"].to_numpy(dtype=bool)
    return pd.DataFrame({"source": table["author"].to_numpy()[rows],
                         "target": table["retweeted_author"].to_numpy()[rows]})


def _replies(table: pd.DataFrame) -> pd.DataFrame:
    rows = table["is_reply"].to_numpy(dtype=bool)
    return pd.DataFrame({"source": table["author"].to_numpy()[rows],
                         "target": table["in_reply_to_author"].to_numpy()[rows]})


def _mentions(table: pd.DataFrame) -> pd.DataFrame:
    own = table.loc[~table["is_retweet"].to_numpy(dtype=bool), ["author", "mentions"]]
    items = own["mentions"].map(lambda v: sorted({str(x) for x in v if str(x)})
                                if isinstance(v, list | tuple | np.ndarray) else [])
    out = pd.DataFrame({"source": own["author"].to_numpy(), "target": items.to_numpy()})
    return out.explode("target")


RELATIONS: Final[dict[str, Relation]] = {r.key: r for r in (
    Relation("retweet", "Retweets", "A → B: A retweeted B (A passed B's post on)", _retweets),
    Relation("reply", "Replies", "A → B: A replied to B", _replies),
    Relation("mention", "Mentions", "A → B: A mentioned @B in a post A wrote", _mentions),
)}
# Accounts drawn: the 40 most active plus the 40 most amplified of the relation (overlaps
# merge), about what a laptop screen or a projected slide can show with legible labels.
TOP_ACTIVE: Final = 40
TOP_AMPLIFIED: Final = 40
BROKERS: Final = 5
# Labels are drawn for the most amplified accounts, the brokers and the brand only.
LABELLED: Final = 12
RANDOM_SEED: Final = 13
# Spring layout spacing, as a multiple of networkx's default (1/sqrt(n)): spreads the dense
# core so labels of neighbouring accounts do not overlap (edge weights are left out of the
# layout for the same reason: heavy edges would pull the hubs into one knot).
SPREAD: Final = 2.5


@dataclass(frozen=True)
class Network:
    """The drawn part of a relation's network and what it found there."""

    relation: Relation
    nodes: pd.DataFrame   # account, x, y, community, out_weight, in_weight, betweenness, broker, brand
    edges: pd.DataFrame   # source, target, weight (drawn accounts only)
    accounts: int         # accounts in the whole relation network
    links: int            # distinct edges in the whole relation network
    modularity: float | None

    @property
    def communities(self) -> int:
        return int(self.nodes["community"].nunique()) if len(self.nodes) else 0


def edges(table: pd.DataFrame, relation: str) -> pd.DataFrame:
    """The relation's weighted edge list over the whole table: source, target, weight."""
    if relation not in RELATIONS:
        raise BackfireError(f"unknown relation {relation!r}; choose one of {', '.join(RELATIONS)}")
    pairs = RELATIONS[relation].pairs(table).dropna()
    pairs = pairs.astype({"source": str, "target": str})
    pairs = pairs[(pairs["source"] != "") & (pairs["target"] != "")
                  & (pairs["source"].str.lower() != pairs["target"].str.lower())]
    if pairs.empty:
        return pd.DataFrame({"source": pd.Series(dtype=object), "target": pd.Series(dtype=object),
                             "weight": pd.Series(dtype="int64")})
    out = pairs.groupby(["source", "target"], sort=False).size().rename("weight").reset_index()
    return out.sort_values(["weight", "source", "target"], ascending=[False, True, True],
                           ignore_index=True)


def _strengths(edge_list: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    out_w = edge_list.groupby("source")["weight"].sum()
    in_w = edge_list.groupby("target")["weight"].sum()
    return out_w, in_w


def _top(strength: pd.Series, n: int) -> list[str]:
    """The ``n`` accounts of highest strength (ties: alphabetical)."""
    frame = pd.DataFrame({"account": strength.index.astype(str), "w": strength.to_numpy()})
    return frame.sort_values(["w", "account"], ascending=[False, True])["account"].head(n).tolist()


def network(table: pd.DataFrame, relation: str, *, brand_account: str | None = None,
            top_active: int = TOP_ACTIVE, top_amplified: int = TOP_AMPLIFIED) -> Network:
    """The relation's network among its most active and most amplified accounts (+ the brand)."""
    full = edges(table, relation)
    out_w, in_w = _strengths(full)
    keep = set(_top(out_w, top_active)) | set(_top(in_w, top_amplified))
    brand = _brand_node(full, brand_account)
    if brand:
        keep.add(brand)
    drawn = full[full["source"].isin(keep) & full["target"].isin(keep)].reset_index(drop=True)
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(keep))
    graph.add_weighted_edges_from(drawn[["source", "target", "weight"]].itertuples(index=False))
    # accounts with no edge among the drawn ones say nothing about structure (the brand stays)
    graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0 and n != brand])
    undirected = graph.to_undirected()
    communities, modularity = _communities(undirected)
    between = _betweenness(undirected)
    brokers = set(sorted(between, key=lambda n: (-between[n], n))[:BROKERS]) if between else set()
    positions = (nx.spring_layout(undirected, k=SPREAD / np.sqrt(len(graph)), iterations=100,
                                  seed=RANDOM_SEED) if len(graph) else {})
    nodes = pd.DataFrame({
        "account": list(graph),
        "x": [float(positions[n][0]) for n in graph],
        "y": [float(positions[n][1]) for n in graph],
        "community": [communities.get(n, -1) for n in graph],
        "out_weight": [int(out_w.get(n, 0)) for n in graph],
        "in_weight": [int(in_w.get(n, 0)) for n in graph],
        "betweenness": [float(between.get(n, 0.0)) for n in graph],
        "broker": [n in brokers and between.get(n, 0.0) > 0 for n in graph],
        "brand": [n == brand for n in graph],
    })
    drawn = drawn[drawn["source"].isin(graph) & drawn["target"].isin(graph)].reset_index(drop=True)
    accounts = len(set(full["source"]) | set(full["target"]))
    return Network(RELATIONS[relation], nodes, drawn, accounts, len(full), modularity)


def _brand_node(full: pd.DataFrame, brand_account: str | None) -> str | None:
    """The brand's handle as it appears in the edges (handles differ in case), if at all."""
    if not brand_account:
        return None
    wanted = brand_account.lower().lstrip("@")
    for name in pd.unique(pd.concat([full["source"], full["target"]])):
        if str(name).lower() == wanted:
            return str(name)
    return None


def _communities(graph: nx.Graph) -> tuple[dict[str, int], float | None]:
    if graph.number_of_edges() == 0:
        return {n: i for i, n in enumerate(graph)}, None
    found = nx.community.louvain_communities(graph, weight="weight", seed=RANDOM_SEED)
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    mapping = {node: i for i, members in enumerate(ordered) for node in members}
    return mapping, float(nx.community.modularity(graph, ordered, weight="weight"))


def _betweenness(graph: nx.Graph) -> dict[str, float]:
    if graph.number_of_edges() == 0:
        return {}
    for _a, _b, data in graph.edges(data=True):
        data["distance"] = 1.0 / float(data["weight"])
    return {str(k): float(v) for k, v in
            nx.betweenness_centrality(graph, weight="distance", normalized=True).items()}


def node_tweets(table: pd.DataFrame) -> dict[str, int]:
    """Tweets posted per account (the GEXF nodes' ``tweets`` attribute)."""
    return {str(k): int(v) for k, v in table["author"].dropna().astype(str).value_counts().items()}
