"""The library of good-practice fragments: short, consent-checked, de-identified pieces of clips that
trainers curate into collections for courses and use as coding exercises."""
