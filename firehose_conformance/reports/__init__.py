"""Reports over results documents and the rendered specification.

``merge`` joins the results of several targets into one view; ``table``, ``markdown``, ``html``
and ``jsondoc`` render that view; ``spec_doc`` renders the catalog and the features into
docs/SPEC.md, quoting each scenario's Gherkin source as ``features`` reads it.
"""
