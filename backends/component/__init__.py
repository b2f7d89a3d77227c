"""Components compiled to standalone executables (issue 13, first slice).

- :mod:`.cm_abi`: the numbers of ``runtime-c/include/wasmaot_cm.h``;
- :mod:`.descriptors`: the component-export table (functions and the type
  graph, laid out by :mod:`wasmaot.frontend.component.canonabi`'s rules);
- :mod:`.plan`: a flat component -> a core link plan plus that table;
- :mod:`.emit`: the table as a data-only object (llvmlite).
"""
