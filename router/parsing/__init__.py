"""Reading demo requests written in free text: tokens and number forms (:mod:`.tokens`), generic
vocabulary (:mod:`.lexicon`), which demo is meant (:mod:`.naming`) and its parameter values
(:mod:`.values`). The entry point is :func:`router.params.extract_demo_request`.
"""
