#!/usr/bin/env bash
# test/readme/run.sh: runs every SQL and JavaScript block of README.md (and
# of docs/reference.md and docs/monitoring.md) on a throwaway cluster.
#   test/readme/run.sh
# Ends with "readme: N passed, M failed" (one check per block run, and one
# for the README's demo block), after "readme: K skipped" for the blocks
# marked not run.
#
# How the blocks run, in document order (README.md, then docs/reference.md,
# then docs/monitoring.md):
#   * README.md's "Getting started" first, exactly as scripts/demo.sh runs it
#     (test/readme/getting-started.sh): its SQL in one psql session as the
#     superuser, its sh block, its Node program, whose output must be the
#     output block after it.  What it prints must be the Quick start's demo
#     block (between <!-- demo:begin --> and <!-- demo:end -->).
#   * Every other ```sql block: its own psql session (ON_ERROR_STOP) as the
#     superuser, with search_path = public, woesid (what Getting started's
#     SET leaves: the README's examples call woesid unqualified), or as the
#     role a <!-- as: ROLE --> marker names, with that role's own
#     search_path (Getting started and "Registry and secrets" create
#     widget_app and widget_admin and set it).
#   * Every other ```js block: a module of its own (Node, beside the tests'
#     node_modules, so `import pg from "pg"` resolves), 60 s at most, as
#     the superuser (PGUSER) or the marker's role; the programs name their
#     own role where it matters.
#   * Any other language must carry <!-- not run: REASON -->, and is counted
#     as skipped with its reason; so is a marked sql or js block.  An
#     unmarked block of another language fails: nothing is left out quietly.
#   * <!-- expect error: TEXT -->: the block must fail with TEXT in its
#     errors; <!-- expect output: TEXT -->: its output must contain TEXT.
#   (test/readme/blocks.mjs extracts the blocks and reads the markers.)
#
# What the snippets assume is set up here, once:
#   * the cluster preloads woesid (shared_preload_libraries), so that
#     woesid_stat counts on PostgreSQL 15 as "Operating woesid" says it does
#     where it is enabled;
#   * before each block, test/readme/vars.mjs signs afresh what a browser or
#     backend would send, from the registry as it stands then: the psql
#     variables :'body', :'token', :'secret', :'email_body', :'email_secret',
#     :'variables_body', :'signed_variables', :'sk_secret', and for Node the
#     environment WIDGET_SECRET, WIDGET_TOKEN, WIDGET_BODY, EMAIL_SECRET,
#     EMAIL_BODY, VARIABLES_SECRET, SIGNED_VARIABLES, VARIABLES_BODY and
#     NEW_SECRET (vars.mjs says what each holds).
# Everything else a block uses (roles, tables, widgets) is created by an
# earlier block of the same documents, as a reader would have done.
source "$(dirname "$0")/../../scripts/lib.sh"
source "$WOESID_ROOT/test/readme/getting-started.sh"
cd "$WOESID_ROOT"

begin_suite readme
skipped=0
install_if_missing >/dev/null
start_cluster --conf "shared_preload_libraries = 'woesid'" || fail_setup "readme: the cluster did not start"
woesid_tmpdir work readme

# 1. Getting started, as scripts/demo.sh runs it.
status=0
getting_started "$work/gs" >"$work/gs.log" 2>&1 || status=$?
cat "$work/gs.log"
for b in "${GS_BLOCKS[@]}"; do check 1 "README.md: Getting started block at line ${b##* }"; done
for b in "${GS_FAILED[@]}"; do check 0 "README.md: Getting started block at line ${b##* }"; done

# The Quick start's demo block: what demo.sh prints after the build lines.
sed -n '/^<!-- demo:begin -->$/,/^<!-- demo:end -->$/p' README.md | sed '1,2d;$d' | sed '$d' >"$work/demo.expected"
if [ "$status" -eq 0 ] && cmp -s "$work/demo.expected" "$work/gs.log"; then
	check 1 "the demo block"
else
	diff "$work/demo.expected" "$work/gs.log" || true
	check 0 "README.md's demo block is not what Getting started prints (diff above: < README, > printed)"
fi

# 2. Every other block.
run_block() {	# run_block DOC DIR ID LANG LINE AS EXPECT_ERROR EXPECT_OUTPUT
	local doc=$1 dir=$2 id=$3 lang=$4 line=$5 as=$6 experr=$7 expout=$8 status=0 what
	what="$doc line $line (\`\`\`$lang${as:+ as $as})"
	node test/readme/vars.mjs "$dir" || { check 0 "$what: vars.mjs failed"; return; }
	case $lang in
	sql)
		if [ -n "$as" ]; then
			psql -X -v ON_ERROR_STOP=1 -U "$as" -f "$dir/vars.psql" -f "$dir/$id.sql" \
				>"$dir/$id.stdout" 2>"$dir/$id.stderr" || status=$?
		else
			PGOPTIONS="-c search_path=public,woesid" \
				psql -X -v ON_ERROR_STOP=1 -f "$dir/vars.psql" -f "$dir/$id.sql" \
				>"$dir/$id.stdout" 2>"$dir/$id.stderr" || status=$?
		fi
		;;
	js)
		cp "$dir/$id.js" "$dir/snippet-$id.mjs"
		(
			# shellcheck disable=SC1091
			source "$dir/vars.env"
			[ -z "$as" ] || export PGUSER=$as
			cd "$dir" && timeout 60 node "snippet-$id.mjs"
		) >"$dir/$id.stdout" 2>"$dir/$id.stderr" || status=$?
		;;
	esac
	if [ -n "$experr" ]; then
		if [ "$status" -ne 0 ] && grep -qF -- "$experr" "$dir/$id.stderr"; then
			check 1 "$what"
		else
			cat "$dir/$id.stdout" "$dir/$id.stderr"
			check 0 "$what: should have failed with \"$experr\""
		fi
	elif [ "$status" -ne 0 ]; then
		cat "$dir/$id.stdout" "$dir/$id.stderr"
		check 0 "$what: failed (status $status)"
	elif [ -n "$expout" ] && ! grep -qF -- "$expout" "$dir/$id.stdout"; then
		cat "$dir/$id.stdout" "$dir/$id.stderr"
		check 0 "$what: output lacks \"$expout\""
	else
		check 1 "$what"
	fi
}

ln -sfn "$WOESID_ROOT/test/node_modules" "$work/node_modules"
for doc in README.md docs/reference.md docs/monitoring.md; do
	dir=$work/$(basename "$doc" .md)
	if ! node test/readme/blocks.mjs "$doc" "$dir"; then
		check 0 "$doc: its blocks could not be read"
		continue
	fi
	ran=0
	while IFS=$'\x1f' read -r id lang line section as skip experr expout _out; do
		[ "$doc:$section" != "README.md:Getting started" ] || continue
		if [ -n "$skip" ]; then
			skipped=$((skipped + 1))
			echo "readme: skipped $doc line $line (\`\`\`$lang): $skip"
			continue
		fi
		case $lang in
		sql | js) run_block "$doc" "$dir" "$id" "$lang" "$line" "$as" "$experr" "$expout"; ran=$((ran + 1)) ;;
		*) check 0 "$doc line $line: a \`\`\`$lang block, neither run nor marked <!-- not run: REASON -->" ;;
		esac
	done <"$dir/index"
	echo "readme: $doc: $ran blocks run"
done

echo "readme: $skipped skipped (marked not run)"
finish
