"""Finance: the costed plan, time and other costs, payments and variations."""
