"""Live pulls from paging and alerting APIs into the inbox: the raw pages, unchanged, one file a
page, which the ingest then reads like any export."""
