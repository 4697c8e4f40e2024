"""What is built on the library: the ``tinygrad-sm`` command (``cli``), its benchmarks
(``bench``), the training loop and run writer (``training``, ``runs``), pictures
(``plots``, ``plots_attention``) and the pointer task (``pointer``).

The library (``tinygrad_sm`` and its subpackages) never imports from here; import a
module by name, e.g. ``from tinygrad_sm.apps import training, plots``.
"""
