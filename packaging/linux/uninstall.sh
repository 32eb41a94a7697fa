#!/bin/sh
# Remove the Davdesk that install.sh installed for the current user: exactly the files
# and folders listed in ~/.local/opt/davdesk/installed-files, then that folder itself.
# Folders install.sh created go only when they are empty; nothing else is touched.
# Settings, bookmarks and the log (~/.config/davdesk, ~/.local/state/davdesk) stay.
set -eu

prefix=$HOME/.local/opt/davdesk
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
manifest=$prefix/installed-files

if [ ! -f "$manifest" ]; then
    printf 'uninstall.sh: Davdesk is not installed for this user (%s is missing)\n' "$manifest" >&2
    exit 1
fi

sed -n 's/^file //p' "$manifest" | while IFS= read -r path; do
    rm -f -- "$path"
done
dirs=$(sed -n 's/^dir //p' "$manifest")
rm -rf -- "$prefix"
# Deepest folders first, and only those left empty.
printf '%s\n' "$dirs" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
    while IFS= read -r dir; do
        [ -n "$dir" ] && rmdir -- "$dir" 2>/dev/null || true
    done

if [ -f "$data_home/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache --quiet --force --ignore-theme-index "$data_home/icons/hicolor" || true
fi
if [ -f "$data_home/applications/mimeinfo.cache" ] && command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database --quiet "$data_home/applications" || true
fi
echo "Davdesk is removed (your settings in ~/.config/davdesk are kept)."
