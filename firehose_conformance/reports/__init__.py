"""Reports over results documents and the rendered specification.

``merge`` joins the results of several targets into one view; ``table``, ``markdown``, ``html``
and ``jsondoc`` render that view; ``spec_doc`` renders the catalog and the features into
docs/SPEC.md; ``gherkin_text`` gives each scenario's Gherkin source for both.
"""
