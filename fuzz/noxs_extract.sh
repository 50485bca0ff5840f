#!/bin/sh
# Print, unchanged, the definitions named file:symbol (a function, or a
# table ending in "};"), each from its first line (the line with the
# return type when the name starts the next one) to the "}" or "};" in
# column 0 that ends it, with a #line so errors and stack traces point at
# the module's own source. Fails if a symbol is not found.
set -eu
for spec in "$@"; do
	file=${spec%%:*} sym=${spec#*:}
	out=$(awk -v sym="$sym" -v file="$file" '
		function starts(l) {
			return l ~ ("^[A-Za-z_].*[^A-Za-z0-9_]" sym "(\\(|\\[)") ||
			       l ~ ("^" sym "\\(")
		}
		!found && starts($0) && $0 !~ /;[ \t]*$/ {
			found = 1
			start = NR
			if ($0 ~ ("^" sym "\\(")) {
				print "#line " (NR - 1) " \"" file "\""
				print prev
			} else {
				print "#line " NR " \"" file "\""
			}
		}
		found == 1 { print; if ($0 ~ /^};?[ \t]*$/) found = 2 }
		{ prev = $0 }
		END { if (found != 2) exit 1 }
	' "$file") || { echo "noxs_extract: $sym not found in $file" >&2; exit 1; }
	printf '%s\n\n' "$out"
done
