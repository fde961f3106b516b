"""The interaction network on a hand-built table: two camps around two hubs, one account
bridging them, the brand replied to and mentioned."""

from __future__ import annotations

import pandas as pd
import pytest
from metrics_tables import table, tweet

from analysis.errors import BackfireError
from analysis.exports import data as export_data
from analysis.metrics import network


@pytest.fixture(scope="module")
def camps() -> pd.DataFrame:
    rows = [tweet(0, id="h1", author="hub_a", text="camp a post"),
            tweet(0, id="h2", author="hub_b", text="camp b post"),
            tweet(1, id="b0", author="Brand", text="ask us anything")]
    for i in range(6):  # camp A retweets hub_a (twice each), camp B retweets hub_b
        for k in range(2):
            rows.append(tweet(2 + i + k, author=f"a{i}", rt_of="h1", rt_author="hub_a",
                              text="RT @hub_a: camp a post", mentions=["hub_a"]))
            rows.append(tweet(2 + i + k, author=f"b{i}", rt_of="h2", rt_author="hub_b",
                              text="RT @hub_b: camp b post", mentions=["hub_b"]))
    # the bridge retweets both hubs, and both hubs retweet the bridge
    rows += [tweet(20, author="bridge", rt_of="h1", rt_author="hub_a", text="RT @hub_a: x"),
             tweet(21, author="bridge", rt_of="h2", rt_author="hub_b", text="RT @hub_b: y"),
             tweet(22, id="g1", author="bridge", text="both camps"),
             tweet(23, author="hub_a", rt_of="g1", rt_author="bridge", text="RT @bridge: both"),
             tweet(24, author="hub_b", rt_of="g1", rt_author="bridge", text="RT @bridge: both")]
    rows += [tweet(30, author="a0", reply_to="b0", text="@brand no", mentions=["brand"]),
             tweet(31, author="a1", text="hey @BRAND and @hub_a", mentions=["brand", "hub_a"])]
    frame = table(rows)
    frame["in_reply_to_author"] = frame["in_reply_to_id"].map({"b0": "Brand"}).astype("string")
    return frame


def test_edges_per_relation(camps: pd.DataFrame) -> None:
    rts = network.edges(camps, "retweet").set_index(["source", "target"])["weight"]
    assert rts[("a0", "hub_a")] == 2 and rts[("bridge", "hub_b")] == 1
    assert rts.sum() == 6 * 2 * 2 + 4
    replies = network.edges(camps, "reply")
    assert replies.to_dict("records") == [{"source": "a0", "target": "Brand", "weight": 1}]
    mentions = network.edges(camps, "mention").set_index(["source", "target"])["weight"]
    # a retweet's "RT @author" is not a mention: only the two authored posts count
    assert mentions.to_dict() == {("a0", "brand"): 1, ("a1", "brand"): 1, ("a1", "hub_a"): 1}
    with pytest.raises(BackfireError, match="unknown relation"):
        network.edges(camps, "likes")


def test_communities_brokers_and_brand(camps: pd.DataFrame) -> None:
    found = network.network(camps, "retweet", brand_account="brand")
    nodes = found.nodes.set_index("account")
    assert found.communities >= 2
    assert nodes.loc["a0", "community"] == nodes.loc["a5", "community"] == nodes.loc["hub_a", "community"]
    assert nodes.loc["a0", "community"] != nodes.loc["b0", "community"]
    top = nodes.sort_values("betweenness", ascending=False).index[:3]
    assert {"bridge", "hub_a", "hub_b"} == set(top)
    assert nodes.loc["bridge", "broker"]
    assert found.modularity is not None and found.modularity > 0.2
    # the brand has no retweet link: it is kept (and marked) only if it appears in the edges
    assert not nodes["brand"].any()
    replies = network.network(camps, "reply", brand_account="@brand")
    assert replies.nodes.set_index("account").loc["Brand", "brand"]


def test_drawn_network_keeps_the_most_active_and_amplified(camps: pd.DataFrame) -> None:
    small = network.network(camps, "retweet", top_active=2, top_amplified=2)
    kept = set(small.nodes["account"])
    # the two most active (ties alphabetical: a0, a1) and the two most amplified (the hubs);
    # hub_b has no link to the others drawn, so it is left out
    assert kept == {"a0", "a1", "hub_a"}
    assert set(small.edges["source"]) | set(small.edges["target"]) <= kept
    assert small.accounts == 15 and small.links == len(network.edges(camps, "retweet"))


def test_gexf_of_the_whole_relation(camps: pd.DataFrame) -> None:
    payload = export_data.gexf(network.edges(camps, "retweet"), directed=True,
                               description="test", node_tweets=network.node_tweets(camps))
    text = payload.decode()
    assert 'defaultedgetype="directed"' in text and 'label="bridge"' in text
    assert text.count("<edge ") == len(network.edges(camps, "retweet"))
