"""The sheets `sopbot keys init` writes for the Kabid's safe: the escrow key and the evidence
signing key, with how to use them the day the server is lost."""

SHEET = """\
KUNCI CADANGAN (ESCROW) BACK UP DATA KEPENDUDUKAN — SOP-PIAK-02
Dibuat: {made}

Simpan lembar ini di brankas Kepala Bidang PIAK. JANGAN disimpan di komputer,
di hard disk back up, atau difoto. Siapa pun yang memegang kunci ini dapat membuka
semua salinan back up (berisi NIK, KK dan alamat penduduk).

Kunci publik (boleh diketahui):  {public}

Kunci rahasia (RAHASIA):
{secret}

Cara membuka salinan bila server dan kunci kantor hilang:
1. Ketik kunci rahasia di atas (atau pindai kode QR) ke file kunci.txt pada komputer yang aman.
2. Dengan bot (juga membuka file .zst.age sampai menjadi .dmp):
     sopbot restore-file E:\\sopbot-backups\\FILE.age --out SIAK.dmp --identity kunci.txt
   atau dengan program age:
     age -d -i kunci.txt -o SIAK.dmp SIAK_YYYYMMDD_HHMM.dmp.age
3. Hanya bila memakai program age untuk file .zst.age: simpan hasilnya sebagai SIAK.dmp.zst
   (age -d -i kunci.txt -o SIAK.dmp.zst FILE.zst.age), lalu: zstd -d SIAK.dmp.zst
4. Hapus kunci.txt setelah selesai, kembalikan lembar ini ke brankas.
"""

SIGNING_PART = """
KUNCI TANDA TANGAN RANTAI BUKTI (Ed25519)
Menandatangani checkpoint rantai bukti back up. Bila server hilang, salin baris
PRIVATE+KEY di bawah ke file kunci baru (EVIDENCE_KEY_FILE) agar rantai bukti dapat
dilanjutkan dengan kunci yang sama. Kunci publik untuk auditor (boleh diketahui):
  {public}
Kunci rahasia (RAHASIA):
{secret}
"""
