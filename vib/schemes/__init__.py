"""Code schemes: the interaction-analysis codes a case or clip is coded with (annotations/ and imported
ones). Below cases, clips and coding, which all choose or read a scheme."""
