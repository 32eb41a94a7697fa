#!/bin/sh
# Install Davdesk for the current user, from the folder this script is in:
#   the app          ~/.local/opt/davdesk/ (this folder, copied)
#   the command      ~/.local/bin/davdesk (a link to the app)
#   the menu entry   $XDG_DATA_HOME/applications/io.github.davdesk.Davdesk.desktop
#   the icons        $XDG_DATA_HOME/icons/hicolor/*/apps/davdesk.*
#   the metainfo     $XDG_DATA_HOME/metainfo/io.github.davdesk.Davdesk.metainfo.xml
# ($XDG_DATA_HOME is ~/.local/share unless set.) Running it again updates the install.
# Everything it puts is listed in ~/.local/opt/davdesk/installed-files, which
# uninstall.sh reads to remove exactly that and nothing else.
set -eu

app_id=io.github.davdesk.Davdesk
source_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
prefix=$HOME/.local/opt/davdesk
bin_dir=$HOME/.local/bin
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
manifest=$prefix/installed-files

fail() {
    printf 'install.sh: %s\n' "$1" >&2
    exit 1
}

[ -x "$source_dir/davdesk" ] && [ -d "$source_dir/share" ] ||
    fail "run me from the unpacked Davdesk folder ($source_dir has no davdesk program)"
case $HOME$data_home in
    *'
'*) fail "the home or data folder's name has a line break: Davdesk cannot record it" ;;
esac
if [ -e "$bin_dir/davdesk" ] || [ -L "$bin_dir/davdesk" ]; then
    [ "$(readlink "$bin_dir/davdesk" || true)" = "$prefix/davdesk" ] ||
        fail "$bin_dir/davdesk exists and is not this install's link: remove it first (pip's davdesk? pip uninstall davdesk)"
fi

# Folders this install creates are recorded so that uninstall.sh can remove them again
# (a reinstall keeps the ones the first install created); a reinstall (an update, say)
# also takes away the files of the last install that this one no longer has.
created_dirs=$(mktemp)
old_files=$(mktemp)
files=$(mktemp)
trap 'rm -f "$created_dirs" "$old_files" "$files"' EXIT
if [ -f "$manifest" ]; then
    sed -n 's/^dir //p' "$manifest" >"$created_dirs"
    sed -n 's/^file //p' "$manifest" >"$old_files"
fi

make_dir() {
    if [ ! -d "$1" ]; then
        make_dir "$(dirname -- "$1")"
        mkdir -- "$1"
        printf '%s\n' "$1" >>"$created_dirs"
    fi
}

# The app: a fresh copy beside the old one, swapped in only once it is complete.
if [ "$source_dir" != "$(cd -- "$prefix" 2>/dev/null && pwd -P || true)" ]; then
    make_dir "$(dirname -- "$prefix")"
    rm -rf -- "$prefix.new"
    cp -RP -- "$source_dir" "$prefix.new"
    rm -f -- "$prefix.new/installed-files"
    rm -rf -- "$prefix"
    mv -- "$prefix.new" "$prefix"
fi

put() {  # put SOURCE TARGET: copy one file and record it
    make_dir "$(dirname -- "$2")"
    cp -- "$1" "$2.new"
    mv -f -- "$2.new" "$2"
    printf '%s\n' "$2" >>"$files"
}

make_dir "$bin_dir"
ln -sfn -- "$prefix/davdesk" "$bin_dir/davdesk"
printf '%s\n' "$bin_dir/davdesk" >>"$files"

# The menu entry starts the installed program by its full path: ~/.local/bin is not on
# every desktop session's PATH. The path is quoted as the Desktop Entry spec says (a
# backslash before " ` $ \, each backslash doubled, % doubled), then escaped for sed.
exec_path=$(printf '%s' "$prefix/davdesk" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g' -e 's/%/%%/g')
replacement=$(printf '"%s"' "$exec_path" | sed 's/[|&\\]/\\&/g')
make_dir "$data_home/applications"
sed -e "s|^Exec=davdesk |Exec=$replacement |" -e "s|^Exec=davdesk\$|Exec=$replacement|" \
    "$prefix/share/applications/$app_id.desktop" >"$data_home/applications/$app_id.desktop.new"
mv -f -- "$data_home/applications/$app_id.desktop.new" "$data_home/applications/$app_id.desktop"
printf '%s\n' "$data_home/applications/$app_id.desktop" >>"$files"

for icon in "$prefix"/share/icons/hicolor/*/apps/*; do
    put "$icon" "$data_home/icons/hicolor/${icon#"$prefix/share/icons/hicolor/"}"
done
put "$prefix/share/metainfo/$app_id.metainfo.xml" "$data_home/metainfo/$app_id.metainfo.xml"

while IFS= read -r old; do
    grep -Fqx -- "$old" "$files" || rm -f -- "$old"
done <"$old_files"
{
    sort -u "$created_dirs" | sed 's/^/dir /'
    sed 's/^/file /' "$files"
} >"$manifest.new"
mv -f -- "$manifest.new" "$manifest"

# Refresh the caches that exist (without one, the desktop reads the folders directly).
if [ -f "$data_home/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache --quiet --force --ignore-theme-index "$data_home/icons/hicolor" || true
fi
if [ -f "$data_home/applications/mimeinfo.cache" ] && command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database --quiet "$data_home/applications" || true
fi

echo "Davdesk is installed: it is in the application menu, and '$bin_dir/davdesk' starts it."
case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "($bin_dir is not on your PATH: add it to run 'davdesk' by name.)" ;;
esac
echo "To remove it: $prefix/uninstall.sh"
