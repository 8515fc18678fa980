"""HTTP routes, one module per audience. They parse input, call one command, render."""
