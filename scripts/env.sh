# Sourced by the other scripts: where builds go.
# The build cache lives outside the checkout by default, so a fresh clone builds warm.
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/foodbridge/target}"
