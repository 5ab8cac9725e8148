// All words on the screen, in Mandarin and English. t('key') picks the current language; tx({zh,en})
// does the same for text that comes from the device (catalogue, bills). Missing English falls back to zh.
import { state } from './state.js';

// Exported so `linli demo` names the kiosk's buttons with these same words (cli/demo/printout.ts).
export const S = {
  title: ['社区自助服务', 'Community self-service'],
  home: ['首页', 'Home'],
  back: ['返回', 'Back'],
  lang: ['English', '中文'],
  langLabel: ['切换语言', 'Change language'],
  larger: ['大字', 'Larger text'],
  voiceOn: ['语音开', 'Voice on'],
  voiceOff: ['语音关', 'Voice off'],
  stop: ['停止', 'Stop'],
  repeat: ['再听一遍', 'Repeat'],
  welcome: ['您好，请选择要办理的事情', 'Hello. What would you like to do?'],
  payTitle: ['缴费', 'Pay a bill'],
  payHint: ['水费 电费 燃气费 物业费', 'Water, electricity, gas, property'],
  servicesTitle: ['办事指南', 'Service matters'],
  servicesHint: ['需要带什么材料、去哪里办', 'What to bring, where to go'],
  apptTitle: ['预约', 'Appointments'],
  apptHint: ['预约到社区办事，取消预约', 'Book or cancel a visit to the office'],
  noticesTitle: ['社区公告', 'Community notices'],
  noticesHint: ['停水停电、活动通知', 'Water cuts, events and news'],
  touchToStart: ['轻触屏幕开始', 'Touch the screen to start'],
  // pay
  chooseBiller: ['请选择缴费项目', 'What would you like to pay?'],
  orCard: ['也可以在读卡区刷居民卡', 'Or tap your resident card on the reader'],
  demoCard: ['演示：刷示范居民卡', 'Demo: tap the sample card'],
  reprint: ['补打上一张凭证', 'Reprint the last receipt'],
  reprinted: ['凭证已重新打印，请取走', 'The receipt was printed again; please take it'],
  reprintQr: ['打印机暂不可用，请扫码保存凭证', 'The printer cannot print: scan to keep the receipt'],
  water: ['水费', 'Water'],
  electricity: ['电费', 'Electricity'],
  gas: ['燃气费', 'Gas'],
  property: ['物业费', 'Property fee'],
  enterAccount: ['请输入户号', 'Enter the account number'],
  accountHelp: ['户号印在账单右上角', 'It is printed at the top right of your bill'],
  accountNumber: ['户号', 'Account number'],
  lookUp: ['查询账单', 'Find my bill'],
  erase: ['删除', 'Delete'],
  clear: ['清空', 'Clear'],
  looking: ['正在查询，请稍候', 'Looking it up, please wait'],
  cardReading: ['正在读卡，请稍候', 'Reading the card, please wait'],
  cardFound: ['请选择要缴费的户', 'Choose the account to pay'],
  cardNotFound: [
    '这张卡未在本社区登记。请输入户号，或到社区办公室咨询。',
    'This card is not registered in this community. Enter the account number, or ask the office.',
  ],
  verifiedBill: ['您的账单（已核验）', 'Your bill (verified)'],
  nothingDue: ['这个户号没有待缴账单', 'Nothing to pay on this account'],
  holder: ['户名', 'Name'],
  period: ['账期', 'Period'],
  due: ['截止日期', 'Due date'],
  amount: ['应缴金额', 'Amount due'],
  payByCard: ['刷卡付款', 'Pay by bank card'],
  payByQr: ['手机扫码付款', 'Pay with phone (QR)'],
  noPayment: ['本机暂时不能缴费', 'Payments are not available on this kiosk right now'],
  noPaymentHelp: [
    '请到社区服务中心缴费，或稍后再来。账单可以照常查询。',
    'Please pay at the community service centre, or come back later. You can still look up your bill.',
  ],
  noTerminal: [
    '刷卡机暂时不能使用，请用手机扫码付款',
    'The card reader is not working now. Please pay with your phone (QR).',
  ],
  noPrinter: [
    '打印机暂时不能使用：付款后请用手机扫描屏幕上的二维码保存电子凭证',
    'The printer is not working now. After paying, scan the QR code on the screen with your phone to keep your e-receipt.',
  ],
  payAtTerminal: ['请在下方刷卡器上刷卡或插卡付款', 'Please pay at the card terminal below'],
  scanToPay: ['请用手机扫描二维码付款', 'Scan this code with your phone to pay'],
  qrLeft: ['二维码剩余时间', 'Time left for this code'],
  openWallet: ['演示：打开模拟钱包', 'Demo: open the simulated wallet'],
  stay: ['付款完成前请不要离开', 'Please stay until the payment completes'],
  cancelPay: ['取消付款', 'Cancel payment'],
  processing: ['正在处理，请稍候', 'Processing, please wait'],
  checking: [
    '正在确认付款结果，请勿重复缴费',
    'Checking whether the payment went through. Do not pay again.',
  ],
  checkingMore: [
    '机器会自动确认，通常不超过几分钟。如果等待很久，请联系社区工作人员。',
    'The kiosk checks by itself; this usually takes a few minutes. If it takes long, please ask the staff.',
  ],
  paid: ['缴费成功', 'Payment complete'],
  takeReceipt: ['请取走打印的凭证', 'Please take your printed receipt'],
  printingReceipt: ['正在打印凭证，请稍候', 'Printing your receipt, one moment'],
  receiptNotPrinted: [
    '凭证未能打印，请用手机扫码保存电子凭证。缴费已成功。',
    'The receipt could not be printed. Scan the code to keep it. Your payment went through.',
  ],
  paperOut: [
    '凭证未能打印（缺纸），请用手机扫码保存电子凭证。缴费已成功。',
    'The receipt could not be printed (no paper). Scan the code to keep it. Your payment went through.',
  ],
  declined: ['付款被拒绝，未扣款', 'Payment declined. Nothing was charged.'],
  declinedMore: ['可以换一张卡再试，或用手机扫码付款。', 'You may try another card, or pay with your phone.'],
  canceled: ['已取消，未扣款', 'Canceled. Nothing was charged.'],
  voided: ['缴费未成功，款项已退回', 'The payment did not go through; the money was released.'],
  voidedMore: ['如有疑问，请联系社区工作人员。', 'If you have questions, please ask the staff.'],
  failed: ['无法缴费', 'The payment could not be made'],
  receiptNo: ['凭证号', 'Receipt number'],
  paidAmount: ['金额', 'Amount'],
  forStaff: ['供工作人员参考', 'For the staff'],
  receiptPreview: ['打印的凭证', 'The printed receipt'],
  authCode: ['授权码', 'Authorization'],
  card: ['银行卡', 'Card'],
  reason: ['原因', 'Reason'],
  tryAgain: ['重新缴费', 'Pay again'],
  done: ['完成', 'Done'],
  blocked: [
    '上一笔缴费正在确认中，暂时不能缴费，请勿重复付款。如等待较久请联系工作人员。',
    'An earlier payment is still being checked. Please do not pay again; ask the staff if it takes long.',
  ],
  busyHere: ['付款进行中，请先完成或取消付款', 'A payment is running: finish or cancel it first'],
  // services
  categories: ['请选择类别', 'Choose a category'],
  search: ['搜索', 'Search'],
  searchHint: ['按拼音首字母搜索，例如“老年人”按 L N R', 'Search by pinyin initials, e.g. L N R for 老年人'],
  searchLabel: ['搜索内容', 'Search text'],
  quickWords: ['常用词', 'Common words'],
  results: ['搜索结果', 'Results'],
  noResults: ['没有找到，请换个词试试', 'Nothing found; try other letters'],
  matters: ['事项', 'Matters'],
  legalBasis: ['设定依据', 'Legal basis'],
  covers: ['办理对象与内容', 'Who may apply, what it covers'],
  materials: ['需要带的材料', 'What to bring'],
  copies: ['份', 'copies'],
  original: ['原件', 'original'],
  copy: ['无需原件', 'no original needed'],
  steps: ['办理流程', 'Steps'],
  timeLimit: ['办理时限', 'Time limit'],
  fee: ['收费', 'Fee'],
  office: ['办理地点', 'Office'],
  officeInfo: ['办理信息', 'Office, hours and fees'],
  address: ['地址', 'Address'],
  hours: ['办公时间', 'Opening hours'],
  phone: ['电话', 'Phone'],
  printMaterials: ['打印材料清单', 'Print the list of materials'],
  printed: ['已打印，请取走', 'Printed. Please take it.'],
  printFailed: [
    '打印机暂不可用（可能缺纸），请拍照或记下清单',
    'The printer cannot print (maybe no paper); please take a photo or note the list',
  ],
  bookThis: ['预约办理', 'Book an appointment'],
  readAloud: ['朗读', 'Read aloud'],
  // appointments
  apptBook: ['预约办事', 'Book a visit'],
  apptCancel: ['取消预约', 'Cancel a booking'],
  chooseMatter: ['请选择要办的事', 'What do you need to do?'],
  chooseDay: ['请选择日期', 'Choose a day'],
  chooseSlot: ['请选择时间', 'Choose a time'],
  closed: ['休息', 'Closed'],
  full: ['已约满', 'Full'],
  pastHours: ['今日已过办理时间', 'Office hours are over today'],
  freeN: ['剩余', 'free'],
  confirmBooking: ['请核对预约信息', 'Please check your booking'],
  confirm: ['确认预约', 'Confirm booking'],
  booked: ['预约成功', 'Booked'],
  queueNumber: ['排队号', 'Queue number'],
  bookingCode: ['预约码（取消时使用）', 'Booking code (to cancel)'],
  time: ['时间', 'Time'],
  matter: ['事项', 'Matter'],
  slipPrinted: ['预约凭条已打印，请取走', 'Your slip was printed; please take it'],
  slipNotPrinted: [
    '凭条未能打印，请拍照或扫码保存',
    'The slip could not be printed: take a photo or scan the code',
  ],
  enterCode: ['请输入8位预约码，或扫描凭条上的二维码', 'Type the 8-digit booking code, or scan the slip'],
  bookingCodeField: ['预约码', 'Booking code'],
  find: ['查询预约', 'Find booking'],
  cancelThis: ['确认取消这个预约', 'Cancel this booking'],
  canceledAppt: ['预约已取消', 'The booking is canceled'],
  status_booked: ['已预约', 'Booked'],
  status_canceled: ['已取消', 'Canceled'],
  status_done: ['已办结', 'Done'],
  offline: [
    '预约需要联网，现在暂时连不上。请稍后再试，或致电社区办公室：',
    'Booking needs the network, which is down right now. Try later, or call the office:',
  ],
  // notices
  latestNotice: ['最新公告', 'Latest notice'],
  noNotices: ['目前没有公告', 'There are no notices right now'],
  // idle
  stillThere: ['您还在使用吗？', 'Are you still there?'],
  goingHome: ['秒后回到首页', 'seconds until the home screen'],
  moreTime: ['我还需要时间', 'I need more time'],
  goHomeNow: ['回到首页', 'Go to home screen'],
  errorTitle: ['出了点问题', 'Something went wrong'],
  loading: ['正在加载', 'Loading'],
  retry: ['再试一次', 'Try again'],
  weekday: [
    ['日', '一', '二', '三', '四', '五', '六'],
    ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
  ],
};

export function t(key) {
  const v = S[key];
  if (!v) return key;
  return state.lang === 'en' ? v[1] : v[0];
}

/** Text from the device ({zh, en}), in the current language. */
export function tx(text) {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return (state.lang === 'en' ? text.en : text.zh) || text.zh || text.en || '';
}

/** ISO weekday n (1 = Monday … 7 = Sunday); the table starts on Sunday, so 7 wraps to it. */
export function weekday(n) {
  return t('weekday')[n % 7] ?? '';
}
