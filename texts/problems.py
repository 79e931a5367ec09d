"""Every problem code in Indonesian, in one table (a test fails when a code has none).

The jobs report codes with parameters (`core.problems`); only here do they become words. Oracle's
own coded errors are explained from their code, keeping the code for the ADB.
"""

from __future__ import annotations

from core.problems import Code, Param, Problem

INDONESIAN: dict[Code, str] = {
    Code.SOURCE_MISSING: "database sumber tidak ditemukan: {path} (buat contoh: sopbot sample-db)",
    Code.PROGRAM_NOT_FOUND: "program {program} tidak ditemukan (periksa EXPDP_PATH)",
    Code.PROGRAM_NOT_STARTED: "program {program} tidak dapat dijalankan ({why}); "
    "periksa EXPDP_PATH",
    Code.PROGRAM_NO_LOG: "program {program} berhenti (kode {exit_code}) tanpa menulis log",
    Code.DUMP_FILE_MISSING: "file dump {path} tidak ditemukan setelah job selesai",
    Code.DUMP_SPACE_FULL: "ruang disk untuk dump di server habis (DUMP_DIR penuh); kosongkan "
    "ruang lalu /backup",
    Code.DUMP_SHRANK: "ukuran dump {size} byte, jauh lebih kecil dari back up baik terakhir "
    "({last} byte)",
    Code.ROWS_SHRANK: "baris diekspor {rows}, jauh lebih sedikit dari back up terakhir ({last})",
    Code.EXPDP_EXIT_CODE: "program expdp berhenti dengan kode {exit_code}, tetapi job Data Pump "
    "selesai",
    Code.COMPLETED_WITH_ERRORS: "job Data Pump selesai dengan {count} kesalahan",
    Code.LEFTOVER_JOB: "job Data Pump lama {job} ({state}) tertinggal; tabel masternya sudah "
    "dihapus bot",
    Code.LOG_MISSING: "file log {path} tidak ditemukan; periksa DUMP_DIR",
    Code.JOB_STATE: "job Data Pump berakhir dengan status {state}",
    Code.SERVER_JOB_NOT_STOPPED: "job Data Pump {job} mungkin masih berjalan di server (bot tidak "
    "dapat menghentikannya; lihat log bot). ADB: hentikan dengan expdp attach={job} lalu "
    "KILL_JOB",
    Code.ORACLE_ERROR: "kesalahan Oracle {code}: {text}",
    Code.OS_ERROR: "sistem operasi server: {text}",
    Code.TABLES_SKIPPED: "{count} objek TIDAK ada di dump (dilewati Data Pump): {tables}",
    Code.FOREIGN_LOG: "log dump milik job lain ({found}), bukan job ini ({expected})",
    Code.OUR_JOB_RUNNING: "job Data Pump {job} dari back up sebelumnya masih berjalan di server; "
    "back up baru tidak dimulai agar tidak berjalan berdampingan",
    Code.DUMP_SPACE_LOW: "ruang kosong DUMP_DIR {free} byte, perlu sekitar {need} byte; "
    "back up tidak dimulai. ADB: kosongkan ruang",
    Code.NO_QUOTA: "pengguna Oracle tidak punya kuota pada tablespace {tablespace} untuk tabel "
    "master job (ORA-01950 akan muncul); DBA: ALTER USER … QUOTA 100M ON {tablespace}",
    Code.EXPIRING_LOGIN: "kata sandi Oracle kedaluwarsa pada {date}; ADB: ganti sebelum itu",
    Code.DIRECTORY_ELSEWHERE: "directory object {directory} ({path}) bukan folder DUMP_DIR yang "
    "dilihat bot ({dump_dir}); dump akan ditulis di tempat lain",
    Code.BACKEND_ERROR: "kesalahan: {error}",
    Code.DIRECTORY_MISSING: "directory object {directory} tidak ada",
    Code.DIRECTORY_NO_GRANTS: "tidak punya READ, WRITE pada {directory}",
    Code.EXPORT_ROLE_MISSING: "ekspor penuh butuh DATAPUMP_EXP_FULL_DATABASE",
    Code.TIMED_OUT: "back up tidak selesai dalam {minutes} menit dan dihentikan",
    Code.STOPPED: "terputus karena layanan bot dihentikan (stop layanan atau Ctrl+C)",
    Code.INTERRUPTED: "bot berhenti saat pekerjaan ini berjalan",
    Code.JOB_CRASHED: "kesalahan program bot ({error}); lihat log bot",
    Code.DISK_NOT_CONFIGURED: "hard disk eksternal belum diatur (EXTERNAL_DISK_PATH kosong).",
    Code.DISK_MISSING: "hard disk eksternal tidak terpasang. Pasang hard disk back up lalu "
    "kirim /salin.",
    Code.DISK_NOT_SEPARATE: "lokasi EXTERNAL_DISK_PATH berada pada disk yang sama dengan server "
    "(folder dump atau disk sistem), bukan hard disk eksternal. Tidak ada yang ditulis.",
    Code.DISK_NO_IDENTITY: "hard disk ini belum didaftarkan. ADB: jalankan `sopbot disk init` "
    "sekali pada hard disk ini.",
    Code.DISK_WRONG: "hard disk yang terpasang bukan hard disk back up yang terdaftar "
    "(EXTERNAL_DISK_IDS).",
    Code.DISK_READ_ONLY: "hard disk eksternal tidak dapat ditulisi (hanya-baca atau tanpa izin).",
    Code.DISK_FULL: "ruang kosong hard disk eksternal tidak cukup untuk file ini.",
    Code.DISK_FAT_FILE_TOO_BIG: "hard disk eksternal berformat {file_system}, yang tidak dapat "
    "menyimpan file 4 GiB atau lebih; back up ini {size} byte. Format hard disk sebagai NTFS "
    "atau exFAT (isinya terhapus), lalu jalankan sopbot disk init lagi.",
    Code.DISK_LOST: "hard disk {label} sudah dilaporkan hilang (/hilang) dan tidak dipakai lagi. "
    "Bila hard disk ini ditemukan, Kabid mengirim /ketemu {label} (isinya diverifikasi penuh "
    "dulu); bila tidak, pasang hard disk lain yang terdaftar.",
    Code.DISK_BAD_IDENTITY: "file identitas .sopbot-disk.json di hard disk ini tidak sah (bukan "
    "file biasa, terlalu besar, atau label/id tidak valid); hard disk tidak dipakai dan tidak ada "
    "yang ditulis. ADB: periksa hard disk ini.",
    Code.DISK_UNSAFE_FOLDER: "folder sopbot-backups di hard disk bukan folder biasa milik hard "
    "disk itu (tautan ke tempat lain?); tidak ada yang ditulis. ADB: periksa hard disk ini.",
    Code.DISK_RETIRED: "hard disk {label} sudah dipensiunkan (sopbot disk pensiun) dan tidak "
    "dipakai lagi. Pasang hard disk lain yang terdaftar.",
    Code.COPY_WRITE_FAILED: "gagal menulis ke hard disk ({why})",
    Code.COPY_READBACK_FAILED: "gagal membaca ulang salinan ({why})",
    Code.COPY_MISMATCH: "salinan tidak cocok saat dibaca ulang (hard disk bermasalah?)",
    Code.SOURCE_CHANGED: "file dump di server berubah sejak dibuat (rusak?)",
    Code.NO_KEY: "{file} terenkripsi dan kunci kantor (EXTERNAL_AGE_IDENTITY_FILE) tidak ada",
    Code.COPY_UNREADABLE: "{file} tidak dapat dibuka ({why}): kunci salah atau salinan rusak",
    Code.COPY_NOT_REGULAR: "{file} di hard disk bukan file biasa milik hard disk itu (tautan, "
    "FIFO, atau perangkat); tidak dipakai sebagai salinan",
    Code.COPY_TOO_LARGE: "{file} mengembang melebihi ukuran dump yang tercatat ({limit} byte): "
    "bukan salinan dump itu; pemulihan dihentikan",
    Code.RETENTION_FAILED: "salinan terverifikasi, tetapi file lama tidak dapat dihapus oleh "
    "retensi ({error}); ADB: periksa izin folder dump",
    Code.RETENTION_FILES_IN_USE: "file lama sedang dibuka program lain (antivirus, Explorer), "
    "dihapus pada salinan berikutnya: {files}",
    Code.KEY_UNREADABLE: "file kunci age {path} tidak dapat dibaca ({why})",
    Code.KEY_MALFORMED: "baris {line} file kunci age {path} bukan kunci rahasia age "
    "(AGE-SECRET-KEY-1…): salah ketik atau terpotong?",
    Code.KEY_NONE: "file kunci age {path} tidak berisi baris AGE-SECRET-KEY-",
    Code.KEY_WRONG: "kunci salah: kunci dari {path} tidak membuka satu pun dari {count} salinan "
    "terenkripsi. Ini masalah kunci, bukan salinan rusak; tidak ada catatan salinan yang diubah",
    Code.COPY_ON_LOST_DISK: "salinan {file} ada di hard disk {label} yang dilaporkan hilang; "
    "salin ke hard disk lain.",
    Code.NO_GOOD_DUMP: "belum ada back up database yang berhasil untuk disalin.",
    Code.NOT_COPIED_YET: "back up terbaru {file} belum ada salinan terverifikasi di hard disk "
    "eksternal.",
    Code.COPY_DAMAGED: "salinan {file} di hard disk eksternal ditemukan rusak saat /verifikasi; "
    "salin ulang.",
    Code.DRILL_NO_COPY: "belum ada salinan terverifikasi di hard disk eksternal untuk diuji",
    Code.DRILL_OTHER_DISK: "salinan terbaru ada di hard disk {label}, yang tidak terpasang; "
    "pasang hard disk itu lalu ulangi",
    Code.DRILL_COPY_MISSING: "file {file} sudah tidak ada di hard disk {label}",
    Code.DRILL_COPY_CHANGED: "file {file} di hard disk tidak lagi sama dengan saat disalin (rusak)",
    Code.DRILL_DUMP_DIFFERS: "hasil pemulihan {file} tidak sama dengan dump asli di server",
    Code.DRILL_NOT_A_DATABASE: "hasil pemulihan {file} tidak dapat dibuka sebagai database "
    "({error})",
    Code.DRILL_INTEGRITY: "pemeriksaan integritas database hasil pemulihan gagal: {detail}",
    Code.DRILL_TABLE_UNREADABLE: "tabel {table} tidak dapat dibaca ({error})",
    Code.DRILL_ROWS_DIFFER: "tabel {table}: {found} baris dipulihkan, {expected} saat dump",
    Code.DRILL_TABLE_MISSING: "tabel {table} tidak ada dalam hasil pemulihan",
    Code.DRILL_HEADER: "header Data Pump {file} tidak sesuai: {detail}",
    Code.DRILL_OBJECTS_DIFFER: "metadata dump berisi {found} tabel, log ekspor mencatat {expected}",
    Code.DRILL_IMPORT_FAILED: "impdp tidak selesai ({status})",
    Code.DRILL_OVERDUE: "sudah {days} hari tanpa uji pulih yang lulus",
    Code.DRILL_NOT_LOADED: "{count} tabel GAGAL dimuat dari dump: {tables}",
    Code.DRILL_NO_RECORD: "catatan dump tidak memuat data pembanding ({what}); hasil pemulihan "
    "tidak dapat dibuktikan",
    Code.DRILL_SCHEMA_UNSAFE: "DRILL_SCHEMA {schema} berisi data asli: impor uji tidak "
    "dijalankan (ADB: pakai skema uji tersendiri)",
    Code.DRILL_TABLES_NOT_CREATED: "{count} tabel yang barisnya diekspor TIDAK dibuat oleh "
    "metadata dump: {tables}",
    Code.DRILL_SCRATCH_MISSING: "skema uji {schema} tidak ditemukan ({detail}); DBA: buat "
    "pengguna {schema} dengan kuota pada tablespace bawaannya",
    Code.DRILL_SCRATCH_NO_QUOTA: "skema uji {schema} tidak punya kuota pada tablespace "
    "bawaannya {tablespace}; DBA: ALTER USER {schema} QUOTA 2G ON {tablespace}",
    Code.DRILL_NEEDS_IMPDP: "DRILL_LEVEL {level} membutuhkan program impdp, tidak ditemukan di "
    "{program}; ADB: isi IMPDP_PATH atau turunkan DRILL_LEVEL ke 1",
    Code.DRILL_NEEDS_ORACLEDB: "uji pulih Oracle membutuhkan python-oracledb ({detail}); ADB: "
    "pasang paket oracledb",
    Code.ORACLE_LOGIN: "tidak dapat masuk ke Oracle di {dsn}: {code} ({meaning}); "
    "penyebab: {cause}",
    Code.EXPORT_ROLE_FOR_SCHEMAS: "mengekspor skema milik pengguna lain ({schemas}) butuh peran "
    "DATAPUMP_EXP_FULL_DATABASE (EXP_FULL_DATABASE sebelum 11.2)",
    Code.DIRECTORY_PROBE_FAILED: "Data Pump tidak dapat menulis log uji di directory object "
    "{directory}: {cause}",
    Code.THICK_MODE_NEEDED: "Oracle {version} membutuhkan python-oracledb mode thick: isi "
    "ORACLE_CLIENT_LIB_DIR dengan folder Oracle Instant Client",
    Code.TNS_ADMIN_NEEDED: "ORACLE_DSN {dsn} adalah alias TNS: mode thin membutuhkan TNS_ADMIN "
    "(folder berisi tnsnames.ora), atau tulis DSN sebagai host:port/service",
    Code.SELFTEST_NO_TABLE: "tidak ditemukan tabel kecil berisi baris di ALL_TABLES (statistik "
    "belum dikumpulkan?); ADB: isi DRILL_TABLES dengan satu tabel kecil (SKEMA.TABEL)",
    Code.SELFTEST_FILTER_IGNORED: "ekspor tabel {table} saja ternyata juga mengekspor {others}: "
    "filter tabel Data Pump tidak berlaku di server ini; kirim laporan ini ke pengembang",
    Code.DATABASE_UNWRITABLE: "basis data log SOP tidak dapat ditulis ({detail}); biasanya disk "
    "server penuh atau hanya-baca",
    Code.DATABASE_VANISHED: "file basis data log SOP {path} terhapus atau diganti",
    Code.LEGACY: "{text}",
}

# Oracle's coded errors, explained; the code stays in front for the ADB.
ORACLE_ERRORS: dict[str, str] = {
    "ORA-39002": "operasi Data Pump tidak valid (lihat kesalahan berikutnya)",
    "ORA-39070": "file log tidak dapat dibuka: direktori dump tidak ada atau tidak dapat ditulis",
    "ORA-39087": "nama directory object Oracle tidak valid atau pengguna tidak punya hak akses",
    "ORA-29283": "operasi file tidak valid: folder dump tidak ada atau tidak dapat ditulis "
    "oleh Oracle",
    "ORA-39095": "ruang untuk file dump habis",
    "ORA-27072": "kesalahan baca/tulis file (disk penuh atau rusak)",
    "ORA-19502": "kesalahan menulis file (disk penuh?)",
    "ORA-31626": "job Data Pump tidak ada",
    # DBMS_DATAPUMP invalid_handle: also what calls after a COMPLETED job likely raise.
    "ORA-31623": "sesi tidak lagi terhubung ke job Data Pump (biasanya job sudah selesai; "
    "log job yang menentukan hasilnya)",
    # Oracle Database Error Messages, ORA-31633: most often a table of the job's name already
    # exists; the lines after it give any other cause (no CREATE TABLE, no quota).
    "ORA-31633": "tabel master job tidak dapat dibuat (biasanya nama job sudah dipakai tabel "
    "lama; atau tidak ada hak CREATE TABLE/kuota, lihat kesalahan berikutnya)",
    "ORA-39006": "kesalahan internal Data Pump",
    "ORA-01017": "nama pengguna atau kata sandi Oracle salah",
    "ORA-12154": "alamat database (DSN/TNS) tidak dikenal",
    "ORA-12541": "listener Oracle tidak berjalan di alamat tersebut",
    "ORA-31631": "pengguna Oracle tidak punya hak yang diperlukan untuk ekspor",
    "UDE-00008": "program expdp berhenti dengan kesalahan Oracle",
    "UDE-00018": "versi program expdp tidak cocok dengan versi database",
    "LRM-00101": "parameter expdp tidak dikenal",
    "DPY-3010": "server Oracle ini terlalu lama untuk mode thin: isi ORACLE_CLIENT_LIB_DIR "
    "dengan Oracle Instant Client atau Oracle home (mode thick)",
    "DPY-3015": "verifier kata sandi 10G lama tidak didukung mode thin: pakai mode thick "
    "(ORACLE_CLIENT_LIB_DIR) atau ganti kata sandi di Oracle 11g+",
    "ORA-28000": "akun Oracle terkunci; minta DBA membuka (ALTER USER … ACCOUNT UNLOCK)",
    "ORA-28001": "kata sandi Oracle sudah kedaluwarsa; ganti kata sandi lalu perbarui "
    "ORACLE_PASSWORD",
    "ORA-28002": "kata sandi Oracle akan segera kedaluwarsa",
    "ORA-01950": "pengguna Oracle tidak punya kuota pada tablespace (tabel master job)",
    "ORA-31641": "file dump tidak dapat dibuat (sudah ada atau folder tidak dapat ditulis)",
    "ORA-27038": "file yang dibuat sudah ada",
    "ORA-01555": "snapshot too old: UNDO_RETENTION terlalu pendek untuk ekspor yang konsisten",
    "ORA-31693": "sebuah objek/tabel dilewati dan TIDAK ada di dump",
    "ORA-02354": "kesalahan saat mengekspor data sebuah tabel",
    "ORA-39001": "nilai argumen Data Pump tidak valid (lihat kesalahan berikutnya)",
    "ORA-39173": "data terenkripsi disimpan tidak terenkripsi di file dump",
    # Connecting (python-oracledb's DPY- codes and the listener's ORA-125xx)
    "DPY-6005": "tidak dapat terhubung ke database (jaringan, alamat, atau listener)",
    "DPY-6000": "listener menolak koneksi",
    "DPY-6001": "service tidak terdaftar di listener (periksa nama service di ORACLE_DSN)",
    "DPY-4027": "alias TNS butuh TNS_ADMIN (folder tnsnames.ora) di mode thin",
    "DPY-4000": "alias TNS tidak ditemukan di tnsnames.ora",
    "DPY-4011": "koneksi ke database terputus",
    "DPY-2019": "ORACLE_CLIENT_LIB_DIR tidak berisi Oracle Client yang dapat dimuat",
    "DPI-1047": "Oracle Client (ORACLE_CLIENT_LIB_DIR) tidak dapat dimuat",
    "ORA-12514": "service tidak dikenal listener (periksa nama service di ORACLE_DSN)",
    "ORA-12505": "SID tidak dikenal listener",
    "ORA-12170": "waktu koneksi habis (jaringan atau firewall)",
    "ORA-12560": "kesalahan adaptor protokol (layanan Oracle tidak berjalan?)",
    "ORA-01031": "hak akses tidak cukup",
    "ORA-39211": "header file dump tidak dapat dibaca",
    "ORA-31684": "objek sudah ada (wajar pada impor penuh ke database yang sudah berisi)",
    "ORA-39082": "objek dibuat dengan peringatan kompilasi (biasanya wajar)",
    "ORA-39083": "sebuah objek gagal dibuat (lihat kesalahan berikutnya)",
}


def say(found: Problem) -> str:
    """The problem in Indonesian, as plain text (escape it for HTML)."""
    if found.code is Code.ORACLE_LOGIN:
        login_code = str(found.params.get("code", ""))
        said = ORACLE_ERRORS.get(login_code) or str(found.params.get("text", ""))
        params: dict[str, Param] = {**found.params, "meaning": said}
        cause = str(found.params.get("cause", ""))
        cause_code = cause.split(":", 1)[0]
        if cause_code in ORACLE_ERRORS:
            params["cause"] = f"{cause_code} ({ORACLE_ERRORS[cause_code]})"
        return INDONESIAN[found.code].format_map(_Lenient(params))
    if found.code is Code.ORACLE_ERROR:
        code = str(found.params.get("code", ""))
        meaning = ORACLE_ERRORS.get(code)
        if meaning:
            return f"{code} ({meaning})"
    return INDONESIAN[found.code].format_map(_Lenient(found.params))


class _Lenient(dict[str, Param]):
    def __missing__(self, key: str) -> str:
        return "?"
