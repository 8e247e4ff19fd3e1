"""The shell the generated workflows' ``run:`` steps execute (``core.workflows``).

Kept apart from the workflow data so each script reads as the program it is;
actionlint and shellcheck lint them inside the workflows
(``tests/test_workflows_lint.py``) and ``tests/test_workflow_simulation.py``
runs them as GitHub would.
"""

from __future__ import annotations

PUBLISH_SCRIPT = """\
# The stable tags made since the pushed-over main (a re-run sees the same
# event, so it finishes what a failed publish left out); older tags without
# a release are left alone. A manual run publishes every member's latest.
since=()
if [ -n "$BEFORE" ] && git cat-file -e "$BEFORE^{commit}" 2>/dev/null; then
  since=(--since "$BEFORE")
fi
__TOOL__ github release "${since[@]}"
"""


GUARD_SCRIPT = """\
# Release unless every pushed commit was committed by release-tool's bot: a
# merge, squash or rebase through GitHub is committed by GitHub, and a
# fast-forward push carries the merged commits of people too.
if [ "$EVENT" != push ]; then
  echo "release=true" >> "$GITHUB_OUTPUT"
  exit 0
fi
if git cat-file -e "$BEFORE^{commit}" 2>/dev/null; then
  range="$BEFORE..$AFTER"
else
  range="$AFTER^!"
fi
others="$(git log --format='%cn <%ce>' "$range" | grep -cvxF "$BOT" || true)"
if [ "$others" -eq 0 ]; then
  echo "only release-tool's own commits were pushed ($range): nothing to release"
  echo "release=false" >> "$GITHUB_OUTPUT"
else
  echo "release=true" >> "$GITHUB_OUTPUT"
fi
"""


MEMBERS_AT_POINTERS = """\
# Each member repo's branch is moved to the root's submodule pointer: the
# content staging tested (the staged dev tag) is what gets released, though
# the member's own branch was never merged. It must be a fast-forward.
# shellcheck disable=SC2016  # expanded by the shell foreach starts, per member
git submodule foreach --quiet --recursive '
  pointer="$(git rev-parse HEAD)"
  if git rev-parse -q --verify "origin/$BRANCH" > /dev/null &&
    ! git merge-base --is-ancestor "origin/$BRANCH" "$pointer"; then
    echo "::error::$displaypath: origin/$BRANCH has commits the root does not point at:" \\
      "merge them into the dev branch of that member repo first"
    exit 1
  fi
  git checkout -q -B "$BRANCH" "$pointer"
'
"""


PUSH_AUTH = """\
# The token reaches git through this step's environment only (nothing in .git/config).
auth="$(printf 'x-access-token:%s' "$PUSH_TOKEN" | base64 -w0)"
echo "::add-mask::$auth"
export GIT_CONFIG_COUNT=1
export GIT_CONFIG_KEY_0="http.$SERVER_URL/.extraheader"
export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $auth"
"""


SYNC_DEV = """\
sync_dev() {
  # Fast-forward the dev branch to main's head, or merge main into it.
  # $1: the repo; $2: main's pushed commit there ($SHA, or its pointer);
  # $3: a resolver for conflicts a merge leaves (fails when it cannot).
  if ! git -C "$1" fetch -q origin "refs/heads/$DEV_BRANCH"; then
    echo "$1: no $DEV_BRANCH branch on origin: nothing to bring over"
    return 0
  fi
  if git -C "$1" merge-base --is-ancestor FETCH_HEAD HEAD; then
    git -C "$1" push -q origin "HEAD:refs/heads/$DEV_BRANCH"
    return 0
  fi
  git -C "$1" checkout -q -B "$DEV_BRANCH" FETCH_HEAD
  if ! git -C "$1" merge -q --no-edit "$MAIN_BRANCH" && ! "$3" "$1"; then
    git -C "$1" merge --abort
    adopt "$1" "$2" "$3" || refuse
  fi
  git -C "$1" push -q origin "HEAD:refs/heads/$DEV_BRANCH"
}
adopt() {
  # A squash or rebase merge gave main's pushed commit the content of a dev
  # commit under another id, so the release's edits conflict with dev's
  # originals. When its tree is one of dev's, record it as merged (its
  # content is dev's already): main's own release commits then merge cleanly.
  local tree
  [ -n "$2" ] || return 1
  tree="$(git -C "$1" rev-parse -q --verify "$2^{tree}")" || return 1
  git -C "$1" log --format=%T HEAD | grep -xF "$tree" > /dev/null || return 1
  echo "$1: $MAIN_BRANCH's $2 holds $DEV_BRANCH's work (squash or rebase merge)"
  git -C "$1" merge -q -s ours --no-edit "$2" || return 1
  git -C "$1" merge -q --no-edit "$MAIN_BRANCH" || "$3" "$1"
}
refuse() {
  echo "::error::merge $MAIN_BRANCH into $DEV_BRANCH by hand: they conflict"
  exit 1
}
"""


SYNC_MEMBERS = """\
pointers() {
  # Submodule pointers conflict when both branches moved them: take the
  # member repos' dev heads just pushed; any other conflict is for a person.
  git config --file .gitmodules --get-regexp '\\.path$' | while read -r _ path; do
    git add "$path"
  done
  if [ -n "$(git diff --name-only --diff-filter=U)" ]; then
    return 1
  fi
  git commit -q --no-edit
}
git config --file .gitmodules --get-regexp '\\.path$' | while read -r _ path; do
  sync_dev "$path" "$(git rev-parse "$SHA:$path" 2> /dev/null || true)" false
done
sync_dev . "$SHA" pointers
"""


IMAGE_SCRIPT = """\
# Once per release: a variant whose image for the prod version is already in
# the registry (an earlier run, or a re-run) is not built again.
plan="$(__TOOL__ docker build --mode prod --target runtime --cuda "$CUDA" --dry-run --json)"
tag="$(jq -r '.images[0].tags[0]' <<< "$plan")"
if docker buildx imagetools inspect "$tag" > /dev/null 2>&1; then
  echo "$tag is in the registry already"
  exit 0
fi
__TOOL__ docker build --mode prod --target runtime --cuda "$CUDA" --push \\
  --cache-registry "$CACHE"
"""
