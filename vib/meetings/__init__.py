"""Progress meetings (voortgangsbespreking): the worker puts moments of a case's clips, across its
cycles, in an order with talking points, presents them and prints a handout; and the case's figures
compared across cycles (the progress chart)."""
