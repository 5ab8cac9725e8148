import { FREE, HUKOU, ID_CARD, mat, type SeedMatter, t } from './seed-types.js';

/** Seeded matters: older people and social assistance (city-wide, handled at the community office). */
export const CARE_MATTERS: SeedMatter[] = [
  {
    categoryId: 'elderly',
    name: t('老年人优待证办理', 'Senior citizen preferential card'),
    legalBasis: t(
      '《中华人民共和国老年人权益保障法》第五十七条至第六十二条；全国老龄办等24部门《关于进一步加强新时代老年人优待工作的通知》；本市老年人优待办法。',
      'Law of the PRC on the Protection of the Rights and Interests of the Elderly, Articles 57–62; notice of the National Working Commission on Ageing and 23 other departments on preferential treatment of older people; the city’s rules on preferential treatment.',
    ),
    covers: t(
      '本市户籍或持有本市居住证、年满60周岁的老年人，可申领老年人优待证，凭证享受公园、景区、博物馆门票减免，公共交通乘车优惠，医疗机构优先就诊等优待。',
      'Residents aged 60 or over with a local hukou or residence permit may apply. The card gives reduced or free entry to parks, scenic sites and museums, reduced public transport fares and priority at hospitals.',
    ),
    materials: [
      ID_CARD(),
      HUKOU(),
      mat('近期一寸免冠彩色照片', 'Recent 1-inch colour photo, bareheaded', 1, false, [
        '也可在社区服务站现场免费拍照',
        'Or have it taken free of charge at the community office',
      ]),
      mat('居住证（非本市户籍）', 'Residence permit (if your hukou is not local)', 1, true),
      mat('代办人居民身份证（他人代办时）', 'Identity card of the person applying for you (if any)', 1, true),
    ],
    steps: [
      t('携带材料到社区服务站窗口提出申请', 'Bring the materials to the community office counter'),
      t('工作人员核对身份信息并采集照片', 'Staff check your identity and take your photo'),
      t('街道民政部门审核', 'The street office’s civil affairs section reviews the application'),
      t(
        '制证完成后短信通知，到社区服务站领取',
        'You receive a text message when the card is ready; collect it at the community office',
      ),
    ],
    timeLimit: t('材料齐全的，5个工作日内办结', 'Within 5 working days once the materials are complete'),
    fee: FREE,
    bookable: true,
    order: 10,
  },
  {
    categoryId: 'elderly',
    name: t('高龄津贴申领', 'Allowance for people aged 80 and over'),
    legalBasis: t(
      '《中华人民共和国老年人权益保障法》第三十三条；财政部、民政部、全国老龄办《关于建立健全经济困难的高龄、失能等老年人补贴制度的通知》（财社〔2014〕113号）。',
      'Law on the Protection of the Rights and Interests of the Elderly, Article 33; Ministry of Finance, Ministry of Civil Affairs and National Working Commission on Ageing notice on allowances for very old and disabled older people (Cai She [2014] No. 113).',
    ),
    covers: t(
      '年满80周岁的本市户籍老年人，按月领取高龄津贴，津贴发放到本人社会保障卡或银行账户。',
      'Residents with a local hukou aged 80 or over receive a monthly allowance, paid to their social security card or bank account.',
    ),
    materials: [
      ID_CARD(),
      HUKOU(),
      mat('本人社会保障卡或银行卡', 'Your social security card or bank card', 1, true, [
        '用于发放津贴',
        'The allowance is paid to this account',
      ]),
    ],
    steps: [
      t('本人或家属到社区服务站提出申请', 'You or a relative apply at the community office'),
      t('社区核实年龄与户籍并公示', 'The community checks age and hukou and posts the list publicly'),
      t('街道审核、区民政局审批', 'The street office reviews and the district civil affairs bureau approves'),
      t('次月起按月发放', 'Payment starts the following month'),
    ],
    timeLimit: t('15个工作日内审批，次月起发放', 'Approved within 15 working days; paid from the next month'),
    fee: FREE,
    bookable: true,
    order: 20,
  },
  {
    categoryId: 'social-assistance',
    name: t('最低生活保障申请', 'Minimum living allowance (dibao)'),
    legalBasis: t(
      '《社会救助暂行办法》（国务院令第649号）第二章；民政部《最低生活保障审核确认办法》（民发〔2021〕57号）。',
      'Interim Measures on Social Assistance (State Council Decree No. 649), Chapter 2; Ministry of Civil Affairs Measures for Reviewing and Confirming the Minimum Living Allowance (Min Fa [2021] No. 57).',
    ),
    covers: t(
      '共同生活的家庭成员人均收入低于本市最低生活保障标准，且家庭财产符合规定的本市户籍家庭，可申请最低生活保障金。',
      'Local households whose income per member is below the city’s minimum living standard, and whose assets meet the rules, may apply for the monthly allowance.',
    ),
    materials: [
      mat('最低生活保障申请书', 'Application form', 1, false, [
        '社区服务站可领取',
        'Available at the community office',
      ]),
      mat('家庭成员居民身份证', 'Identity cards of all household members', 1, true),
      HUKOU(),
      mat('家庭收入情况证明', 'Proof of household income', 1, true, [
        '工资单、退休金或失业证明等',
        'Pay slips, pension or unemployment records',
      ]),
      mat('家庭经济状况核对授权书', 'Authorisation to check household finances', 1, false, [
        '全体成员签字',
        'Signed by every household member',
      ]),
    ],
    steps: [
      t('到户籍所在地社区服务站提交申请', 'Apply at the community office where your hukou is registered'),
      t(
        '街道开展入户调查和家庭经济状况核对',
        'The street office visits your home and checks household finances',
      ),
      t('社区公示7天', 'The result is posted in the community for 7 days'),
      t(
        '区民政局审核确认，次月起发放',
        'The district civil affairs bureau confirms; payment starts the next month',
      ),
    ],
    timeLimit: t('自受理之日起30个工作日内', 'Within 30 working days of acceptance'),
    fee: FREE,
    bookable: true,
    order: 10,
  },
  {
    categoryId: 'social-assistance',
    name: t('临时救助申请', 'Temporary assistance'),
    legalBasis: t(
      '《社会救助暂行办法》（国务院令第649号）第十一章“临时救助”；《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）。',
      'Interim Measures on Social Assistance (State Council Decree No. 649), Chapter 11; State Council notice on establishing temporary assistance (Guo Fa [2014] No. 47).',
    ),
    covers: t(
      '因火灾、交通事故、突发重大疾病等意外事件，或生活必需支出突然增加，导致基本生活暂时出现严重困难的家庭或个人。',
      'Households or people in sudden hardship after a fire, a traffic accident or a serious illness, or whose essential costs rose suddenly.',
    ),
    materials: [
      ID_CARD(),
      HUKOU(),
      mat('困难情况证明材料', 'Evidence of the hardship', 1, true, [
        '如医疗费用票据、事故认定书',
        'E.g. medical bills or an accident report',
      ]),
      mat('临时救助申请书', 'Application form', 1, false),
    ],
    steps: [
      t('向社区服务站或街道提出申请', 'Apply at the community office or the street office'),
      t('街道调查核实', 'The street office investigates'),
      t('审批后发放救助金或实物', 'Once approved, money or goods are provided'),
    ],
    timeLimit: t(
      '一般10个工作日内；情况紧急的先行救助',
      'Usually within 10 working days; urgent cases are helped first',
    ),
    fee: FREE,
    bookable: false,
    order: 20,
  },
];
