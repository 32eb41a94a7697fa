"""The configuration and shared state of one fake Nextcloud instance.

Everything a request handler needs hangs off :class:`Instance`: the options the
test chose, the database, the user's storage, the accounts, the filename rules and
the pagination cache. Handlers get it passed in; nothing is global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.servers.nextcloud.auth import Accounts, random_token
from tests.servers.nextcloud.names import FilenameValidator
from tests.servers.nextcloud.paginate import PaginateCache
from tests.servers.nextcloud.storage import Storage
from tests.servers.nextcloud.store import Store

VERSION = (30, 0, 4, 1)
VERSION_STRING = "30.0.4"


@dataclass(frozen=True)
class Options:
    """The knobs of :class:`~tests.servers.nextcloud.NextcloudServer`, as given."""

    subpath: str = ""
    password_cost: float = 0.0
    assembly_delay: float = 0.0
    chunk_max_size: int | None = 10 * 1024 * 1024
    min_chunk_size: int = 5 * 1024 * 1024
    checksum_types: tuple[str, ...] | None = None
    paginate: bool = True
    chunking: bool = True
    bulk_upload: bool = True
    quota: int | None = None
    forbidden_filenames: tuple[str, ...] = (".htaccess",)
    forbidden_basenames: tuple[str, ...] = ()
    forbidden_characters: tuple[str, ...] = ()
    forbidden_extensions: tuple[str, ...] = (".part", ".filepart")
    link_sharing: bool = True
    public_upload: bool = True
    share_password_enforced: bool = False
    share_expire_days: int | None = None  # an enforced expiry, this many days at most


@dataclass
class Instance:
    options: Options
    data_dir: Path
    user_id: str
    login_name: str
    display_name: str
    password: str
    store: Store = field(init=False)
    storage: Storage = field(init=False)
    accounts: Accounts = field(init=False)
    validator: FilenameValidator = field(init=False)
    instance_id: str = field(init=False)
    paginate_cache: PaginateCache = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.data_dir / "nextcloud.sqlite")
        # The instance id names the session cookie and ends every OC-FileId / oc:id.
        self.instance_id = self.store.config("instanceid", "oc" + random_token(10).lower())
        self.storage = Storage(self.data_dir / self.user_id, self.store, self.options.quota)
        self.accounts = Accounts(
            self.store,
            user_id=self.user_id,
            login_name=self.login_name,
            password=self.password,
            password_cost=self.options.password_cost,
            cookie_name=self.instance_id,
            cookie_path=self.options.subpath or "/",
        )
        o = self.options
        self.validator = FilenameValidator.from_config(
            o.forbidden_filenames,
            o.forbidden_basenames,
            o.forbidden_characters,
            o.forbidden_extensions,
        )
        self.paginate_cache = PaginateCache()

    @property
    def webroot(self) -> str:
        """The path prefix of every URL of the instance: '' or '/nextcloud'."""
        return self.options.subpath

    def dav_file_id(self, fileid: int) -> str:
        """OC-FileId and oc:id: the file id padded to 8 digits, then the instance id."""
        return f"{fileid:08d}{self.instance_id}"
