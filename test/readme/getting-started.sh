# shellcheck shell=bash
# test/readme/getting-started.sh: runs README.md's "Getting started" as a
# reader would, for scripts/demo.sh and test/readme/run.sh (sourced; needs
# scripts/lib.sh, a running cluster with woesid installed and PG* set to its
# superuser, as start_cluster leaves them).
#
#   getting_started DIR
#
# Extracts the section's fenced blocks (test/readme/blocks.mjs) into DIR and
# runs them in order: each run of consecutive ```sql blocks in one psql
# session as the superuser (pasted into one psql, they share its SET), a
# ```sh block in this shell (so what it exports reaches the next blocks), a
# ```js block as getting-started.mjs beside the tests' node_modules (the
# README's `import ... from "pg"` resolves as in a project that installed
# them).  A js block followed by an output block must print exactly that.
# Prints a heading and what the blocks print (what README.md's Quick start
# shows between its demo markers); sets GS_BLOCKS (the blocks run, "ID LANG
# LINE" each) and GS_FAILED (the failed ones, same form); returns 1 if any
# failed.

getting_started() {
	local dir=$1 id lang line _section _as skip _err _exp out status sql=() log
	GS_BLOCKS=()
	GS_FAILED=()
	node "$WOESID_ROOT/test/readme/blocks.mjs" "$WOESID_ROOT/README.md" "$dir" \
		--section "Getting started" || { GS_FAILED=("extract - -"); return 1; }
	ln -sfn "$WOESID_ROOT/test/node_modules" "$dir/node_modules"
	log=$dir/psql.log
	echo "== Getting started (README.md), on a throwaway cluster"

	# runs the pending sql blocks in one session
	gs_flush_sql() {
		local f args=()
		[ ${#sql[@]} -gt 0 ] || return 0
		echo "== psql, as the superuser"
		for f in "${sql[@]}"; do args+=(-f "$dir/${f%% *}.sql"); done
		if psql -X -q -v ON_ERROR_STOP=1 "${args[@]}" 2>"$log"; then
			GS_BLOCKS+=("${sql[@]}")
		else
			cat "$log"
			GS_FAILED+=("${sql[@]}")
		fi
		sql=()
	}

	while IFS=$'\x1f' read -r id lang line _section _as skip _err _exp out; do
		if [ -n "$skip" ]; then
			echo "Getting started: block at README.md line $line is marked not run" >&2
			GS_FAILED+=("$id $lang $line")
			continue
		fi
		case $lang in
		sql) sql+=("$id $lang $line"); continue ;;
		esac
		gs_flush_sql
		case $lang in
		sh)
			echo "== sh"
			# shellcheck disable=SC1090
			if source "$dir/$id.sh"; then
				GS_BLOCKS+=("$id $lang $line")
			else
				GS_FAILED+=("$id $lang $line")
			fi
			;;
		js)
			echo "== node getting-started.mjs"
			cp "$dir/$id.js" "$dir/getting-started.mjs"
			status=0
			(cd "$dir" && node getting-started.mjs) >"$dir/$id.stdout" || status=$?
			cat "$dir/$id.stdout"
			if [ "$status" -eq 0 ] && { [ -z "$out" ] || cmp -s "$dir/$id.stdout" "$dir/$out"; }; then
				GS_BLOCKS+=("$id $lang $line")
			else
				[ "$status" -ne 0 ] || { echo "Getting started: node printed, against README.md:"; diff "$dir/$out" "$dir/$id.stdout" || true; }
				GS_FAILED+=("$id $lang $line")
			fi
			;;
		*)
			echo "Getting started: cannot run a \`\`\`$lang block (README.md line $line)" >&2
			GS_FAILED+=("$id $lang $line")
			;;
		esac
	done <"$dir/index"
	gs_flush_sql
	[ ${#GS_FAILED[@]} -eq 0 ]
}
